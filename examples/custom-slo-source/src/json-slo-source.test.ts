import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SloQuery } from "@shipgate/core";
import { describeSloSourceConformance } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJsonSloSource } from "./json-slo-source.js";

/** What our tiny metrics service knows: service@version → counts over any window. */
const DATA: Record<string, { requests: number; errors: number; p95_ms: number | null }> = {
  "checkout@v1.4.0": { requests: 1200, errors: 3, p95_ms: 182 },
  "checkout@v1.5.0": { requests: 1000, errors: 42, p95_ms: 410 },
  "checkout@v1.6.0": { requests: 0, errors: 0, p95_ms: null },
};

async function startServer(): Promise<{ server: Server; baseUrl: string; seen: URL[] }> {
  const seen: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push(url);
    if (url.searchParams.get("service") === "broken") {
      res.writeHead(503).end("down");
      return;
    }
    const row = DATA[`${url.searchParams.get("service")}@${url.searchParams.get("version")}`];
    if (url.pathname !== "/slo" || !row) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(row));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const query = (service: string, version: string): SloQuery => ({
  service,
  environment: "production",
  version,
  track: "canary",
  windowStart: new Date("2026-01-05T10:00:00Z"),
  windowEnd: new Date("2026-01-05T10:10:00Z"),
});

describeSloSourceConformance("json endpoint example", async () => {
  const { server, baseUrl } = await startServer();
  return {
    source: createJsonSloSource({ baseUrl }),
    healthy: {
      query: query("checkout", "v1.4.0"),
      errorRate: 3 / 1200,
      p95LatencyMs: 182,
      requestCount: 1200,
      errorCount: 3,
    },
    breaching: {
      query: query("checkout", "v1.5.0"),
      errorRate: 0.042,
      p95LatencyMs: 410,
      requestCount: 1000,
      errorCount: 42,
    },
    // What this back end can give: counts yes, a latency histogram no (checked as null).
    capabilities: { counts: true, latencyBuckets: false },
    noData: query("payments", "v9.9.9"),
    cleanup: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});

describe("json endpoint example, its own cases", () => {
  let ctx: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    ctx = await startServer();
  });
  afterAll(() => new Promise<void>((resolve) => ctx.server.close(() => resolve())));
  const signal = () => new AbortController().signal;

  it("sends the window and reports the sample count", async () => {
    const m = await createJsonSloSource({ baseUrl: ctx.baseUrl }).measure(
      query("checkout", "v1.4.0"),
      { signal: signal() },
    );
    expect(m._unsafeUnwrap()).toMatchObject({
      sampleCount: 1200,
      requestCount: 1200,
      errorCount: 3,
    });
    const last = ctx.seen[ctx.seen.length - 1]!;
    expect(last.searchParams.get("from")).toBe("2026-01-05T10:00:00.000Z");
    expect(last.searchParams.get("to")).toBe("2026-01-05T10:10:00.000Z");
  });

  it("zero requests is no data, never a 0% error rate", async () => {
    const m = (
      await createJsonSloSource({ baseUrl: ctx.baseUrl }).measure(query("checkout", "v1.6.0"), {
        signal: signal(),
      })
    )._unsafeUnwrap();
    expect(m.errorRate).toEqual({ kind: "no_data", reason: "no requests in the window" });
  });

  it("a failing endpoint is `unavailable`, not a reading", async () => {
    const m = await createJsonSloSource({ baseUrl: ctx.baseUrl }).measure(
      query("broken", "v1.0.0"),
      { signal: signal() },
    );
    expect(m.isErr() && m.error.kind).toBe("unavailable");
  });
});
