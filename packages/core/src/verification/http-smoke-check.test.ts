import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SmokeCheckContext } from "../contracts/smoke-check.js";
import { conformanceSmokeCheckContext } from "../testing/conformance/fixtures.js";
import { liveSignal as live } from "../testing/conformance/run-safely.js";
import { createRecordingClock } from "../testing/recording-clock.js";
import { createHttpSmokeCheck, type HttpSmokeCheckSpec, redactUrl } from "./http-smoke-check.js";

const context: SmokeCheckContext = {
  ...conformanceSmokeCheckContext,
  service: "checkout",
  phase: "after_weight_change",
  weight: 25,
};

let server: Server;
let base: string;
let flakyFailures = 0;
const hits: Record<string, number> = {};
const seenAuth: (string | undefined)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    seenAuth.push(req.headers.authorization);
    switch (path) {
      case "/healthz":
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "ok", version: "v1.4.0" }));
        return;
      case "/flaky":
        if (flakyFailures > 0) {
          flakyFailures--;
          res.writeHead(503).end("warming up");
          return;
        }
        res.writeHead(200).end("ready");
        return;
      case "/down":
        res.writeHead(503).end("no");
        return;
      case "/moved":
        res.writeHead(302, { location: "/healthz" }).end();
        return;
      case "/big":
        // The marker sits past the 1 MiB the probe reads.
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x".repeat(1024 * 1024 + 10));
        res.end("MARKER");
        return;
      case "/hang":
        // Never answer: the probe's own timeout (or the caller's abort) must end it.
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  flakyFailures = 0;
  for (const k of Object.keys(hits)) delete hits[k];
  seenAuth.length = 0;
});

const spec = (over: Partial<HttpSmokeCheckSpec>): HttpSmokeCheckSpec => ({
  type: "http",
  name: "healthz",
  method: "GET",
  url: `${base}/healthz`,
  expect_status: 200,
  timeout_ms: 2000,
  retries: 0,
  ...over,
});

describe("createHttpSmokeCheck", () => {
  it("passes on the expected status and says what it saw", async () => {
    const check = createHttpSmokeCheck(spec({}), { clock: createRecordingClock() });
    expect(check.name).toBe("healthz");
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(1);
    expect(result.name).toBe("healthz");
    expect(result.detail).toMatch(new RegExp(`^GET ${base}/healthz → 200 in \\d+ ms$`));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(hits["/healthz"]).toBe(1);
  });

  it("retries a 503 and counts the attempts, sleeping on the clock between them", async () => {
    flakyFailures = 2;
    const clock = createRecordingClock();
    const check = createHttpSmokeCheck(spec({ url: `${base}/flaky`, retries: 3 }), {
      clock,
      retryDelayMs: 750,
    });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(true);
    expect(result.attempts).toBe(3);
    expect(hits["/flaky"]).toBe(3);
    expect(clock.sleeps).toEqual([750, 750]);
    expect(result.durationMs).toBeGreaterThanOrEqual(1500);
  });

  it("fails with the status it got once retries run out", async () => {
    const clock = createRecordingClock();
    const check = createHttpSmokeCheck(spec({ url: `${base}/down`, retries: 2 }), { clock });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.attempts).toBe(3);
    expect(hits["/down"]).toBe(3);
    expect(result.detail).toBe(`GET ${base}/down: expected 200, got 503 (3 attempts)`);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it("matches the body against body_match", async () => {
    const good = createHttpSmokeCheck(spec({ body_match: '"status":\\s*"ok"' }), {
      clock: createRecordingClock(),
    });
    expect((await good.run(context, { signal: live() }))._unsafeUnwrap().passed).toBe(true);

    const bad = createHttpSmokeCheck(spec({ body_match: "v2\\.0\\.0" }), {
      clock: createRecordingClock(),
    });
    const result = (await bad.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(`GET ${base}/healthz: body did not match /v2\\.0\\.0/`);
  });

  it("reads at most 1 MiB of body", async () => {
    const head = createHttpSmokeCheck(spec({ url: `${base}/big`, body_match: "^x+$" }), {
      clock: createRecordingClock(),
    });
    expect((await head.run(context, { signal: live() }))._unsafeUnwrap().passed).toBe(true);
    const tail = createHttpSmokeCheck(spec({ url: `${base}/big`, body_match: "MARKER" }), {
      clock: createRecordingClock(),
    });
    const result = (await tail.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.detail).toContain("body did not match /MARKER/");
  });

  it("times out a server that never answers, as a failed probe", async () => {
    const check = createHttpSmokeCheck(spec({ url: `${base}/hang`, timeout_ms: 200, retries: 1 }), {
      clock: createRecordingClock(),
    });
    const started = Date.now();
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.attempts).toBe(2);
    expect(result.detail).toBe(`GET ${base}/hang: timed out after 200 ms (2 attempts)`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("resolves to an aborted error quickly when the caller aborts mid-request", async () => {
    const check = createHttpSmokeCheck(
      spec({ url: `${base}/hang`, timeout_ms: 10_000, retries: 5 }),
      {
        clock: createRecordingClock(),
      },
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("release cancelled")), 50);
    const started = Date.now();
    const result = await check.run(context, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.isErr()).toBe(true);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    expect(hits["/hang"]).toBe(1);
  });

  it("returns aborted without a request when the signal has already fired", async () => {
    const controller = new AbortController();
    controller.abort();
    const check = createHttpSmokeCheck(spec({}), { clock: createRecordingClock() });
    const result = await check.run(context, { signal: controller.signal });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
    expect(hits["/healthz"]).toBeUndefined();
  });

  it("reports a refused connection as a failed probe", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const check = createHttpSmokeCheck(spec({ url: `http://127.0.0.1:${port}/healthz` }), {
      clock: createRecordingClock(),
    });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.detail).toBe(
      `GET http://127.0.0.1:${port}/healthz: request failed: ECONNREFUSED`,
    );
  });

  it("can expect a redirect itself instead of following it", async () => {
    const check = createHttpSmokeCheck(spec({ url: `${base}/moved`, expect_status: 302 }), {
      clock: createRecordingClock(),
    });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(true);
    expect(hits["/healthz"]).toBeUndefined();
  });

  it("never shows credentials from the URL in its detail", async () => {
    const url = `${base.replace("http://", "http://smoke:test-password-not-real@")}/down?token=test-token-not-real&x=1`;
    const check = createHttpSmokeCheck(spec({ url }), { clock: createRecordingClock() });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.detail).not.toContain("test-password-not-real");
    expect(result.detail).not.toContain("test-token-not-real");
    expect(result.detail).toContain(`${base}/down?token=***&x=1`);
    // The credentials still reach the service, as Basic auth (fetch refuses them in the URL).
    expect(seenAuth).toEqual([
      `Basic ${Buffer.from("smoke:test-password-not-real").toString("base64")}`,
    ]);
  });

  it("rejects an invalid body_match as invalid_input without sending anything", async () => {
    const check = createHttpSmokeCheck(spec({ body_match: "(" }), {
      clock: createRecordingClock(),
    });
    const result = await check.run(context, { signal: live() });
    expect(result._unsafeUnwrapErr().kind).toBe("invalid_input");
    expect(hits["/healthz"]).toBeUndefined();
  });

  it("uses an injected fetch", async () => {
    const calls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response("created", { status: 201 });
    };
    const check = createHttpSmokeCheck(
      spec({ url: "http://service.invalid/ping", expect_status: 201 }),
      {
        fetch: fetchStub,
        clock: createRecordingClock(),
      },
    );
    expect((await check.run(context, { signal: live() }))._unsafeUnwrap().passed).toBe(true);
    expect(calls).toEqual(["http://service.invalid/ping"]);
  });
});

describe("redactUrl", () => {
  it("drops userinfo and masks secret-looking query values only", () => {
    expect(redactUrl("https://bot:hunter2@api.local/healthz?api_key=abc&page=2")).toBe(
      "https://api.local/healthz?api_key=***&page=2",
    );
    expect(redactUrl("https://api.local/healthz?page=2")).toBe("https://api.local/healthz?page=2");
  });
});
