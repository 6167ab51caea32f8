import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

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

/** Loads a recorded response by name (`vector-nan`, `error-bad-data-400`, …). */
export function fixture(name: string): FakeResponse {
  const recorded = JSON.parse(
    readFileSync(join(import.meta.dirname, "..", "src", "__fixtures__", `${name}.json`), "utf8"),
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
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        form: new URLSearchParams(body),
      };
      fake.requests.push(request);
      let answer: FakeResponse;
      if (request.path !== "/api/v1/query") answer = fixture("not-found-404");
      else if (request.method !== "POST" && request.method !== "GET") {
        answer = { status: 405, contentType: "text/plain", body: "Method Not Allowed\n" };
      } else answer = fake.respond(request, fake.requests.length - 1);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, {
          "content-type": answer.contentType ?? "application/json",
          ...answer.headers,
        });
        res.end(answer.body);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
