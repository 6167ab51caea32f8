import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import type { SloQuery } from "@shipgate/core";
import { startEmulatorServer } from "@shipgate/core/testing/emulator";
import { afterAll, beforeAll, beforeEach } from "vitest";

/**
 * A response recorded from a real Prometheus 2.42 (`src/__fixtures__/*.json`), or written
 * after its documented envelope where a real server cannot be made to produce it (429
 * comes from proxies in front of Prometheus, 503 `timeout` from a slow query).
 */
export interface FakeResponse {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (to exercise timeouts and aborts). */
  delayMs?: number;
}

/** A request the fake received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

/** A canary query over the 10 minutes the recorded responses were taken at. */
export const RECORDED_WINDOW_QUERY: SloQuery = {
  service: "checkout",
  environment: "prod",
  version: "1.5.0",
  track: "canary",
  windowStart: new Date("2023-11-14T22:03:20Z"),
  windowEnd: new Date("2023-11-14T22:13:20Z"),
};

/** Loads a recorded response by name (`vector-nan`, `error-bad-data-400`, …). */
export function fixture(name: string): FakeResponse {
  const recorded = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "__fixtures__", `${name}.json`), "utf8"),
  ) as { status: number; contentType: string; body: string };
  return { status: recorded.status, body: recorded.body, contentType: recorded.contentType };
}

/** Prometheus' envelope for a query that ran out of time (errorType `timeout` → HTTP 503). */
export const TIMEOUT_503: FakeResponse = {
  status: 503,
  contentType: "application/json",
  body: JSON.stringify({
    status: "error",
    errorType: "timeout",
    error: "query timed out in expression evaluation",
  }),
};

/** What a rate-limiting proxy (e.g. a Cortex/Mimir query frontend) sends: plain text. */
export function tooManyRequests(retryAfter?: string): FakeResponse {
  return {
    status: 429,
    contentType: "text/plain; charset=utf-8",
    body: "too many outstanding requests\n",
    headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
  };
}

/** A local HTTP server answering `POST /api/v1/query` from a script. */
export interface FakePrometheus {
  url: string;
  requests: ReceivedRequest[];
  /**
   * Decides each answer; default: the recorded `vector-buckets` fixture for a bucket query
   * (`…_bucket` without `histogram_quantile`), else the recorded `vector-value` one.
   */
  respond: (request: ReceivedRequest, index: number) => FakeResponse;
  close(): Promise<void>;
}

/** True for a latency_buckets query: a histogram's buckets, not a quantile of them. */
export function isBucketQuery(request: ReceivedRequest): boolean {
  const q = request.form.get("query") ?? "";
  return q.includes("_bucket") && !q.includes("histogram_quantile");
}

function defaultAnswer(request: ReceivedRequest): FakeResponse {
  return fixture(isBucketQuery(request) ? "vector-buckets" : "vector-value");
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakePrometheus(): Promise<FakePrometheus> {
  const fake: FakePrometheus = {
    url: "",
    requests: [],
    respond: (request) => defaultAnswer(request),
    close: async () => {},
  };
  const server = await startEmulatorServer({
    readsBody: () => true,
    handle: async (x) => {
      const request: ReceivedRequest = {
        method: x.method,
        path: x.target,
        headers: x.headers,
        form: new URLSearchParams(x.text),
      };
      fake.requests.push(request);
      let answer: FakeResponse;
      if (request.path !== "/api/v1/query") answer = fixture("not-found-404");
      else if (request.method !== "POST" && request.method !== "GET") {
        answer = { status: 405, contentType: "text/plain", body: "Method Not Allowed\n" };
      } else {
        x.route(`${request.method} /api/v1/query`);
        answer = fake.respond(request, fake.requests.length - 1);
      }
      if (answer.delayMs) await x.delay(answer.delayMs);
      if (x.closed) return;
      x.replyText(answer.status, answer.body, {
        "content-type": answer.contentType ?? "application/json",
        ...answer.headers,
      });
    },
  });
  fake.url = server.url;
  fake.close = () => server.close();
  return fake;
}

/**
 * One fake for the whole test file: started before its first test, closed after its last;
 * before each test its requests are forgotten and, when `respond` is given, its answers
 * set back to it.
 */
export function sharedFakePrometheus(respond?: FakePrometheus["respond"]): FakePrometheus {
  let started: FakePrometheus | undefined;
  const running = () => {
    if (!started) throw new Error("sharedFakePrometheus: used before the fake started");
    return started;
  };
  beforeAll(async () => {
    started = await startFakePrometheus();
  });
  afterAll(async () => {
    await started?.close();
  });
  beforeEach(() => {
    running().requests.length = 0;
    if (respond) running().respond = respond;
  });
  return {
    get url() {
      return running().url;
    },
    get requests() {
      return running().requests;
    },
    get respond() {
      return running().respond;
    },
    set respond(answer) {
      running().respond = answer;
    },
    close: () => running().close(),
  };
}
