import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorExchange } from "./emulator-server.js";
import { type EmulatorServer, startEmulatorServer } from "./emulator-server.js";
import { formatRouteCounts } from "./request-log.js";
import { type EmulatorRoute, matchRoute } from "./route-table.js";

type Route = EmulatorRoute<EmulatorExchange>;
const routes: Route[] = [
  { method: "GET", path: "/items", handle: (x) => x.reply(200, [{ id: 1 }]) },
  {
    method: "GET",
    path: "/items/:id",
    handle: (x, p) =>
      p.id === "1" ? x.reply(200, { id: 1 }) : x.reply(404, { message: "no such item" }),
  },
  {
    method: "POST",
    path: "/items",
    name: "create item",
    handle: (x) => x.reply(201, { echo: JSON.parse(x.text) }),
  },
];

let servers: EmulatorServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(extra: Partial<Parameters<typeof startEmulatorServer>[0]> = {}) {
  const server = await startEmulatorServer({
    headers: { "content-type": "application/json" },
    errorBody: (status, message) => ({ error: message, status }),
    authorize: (h) => h.authorization === "Bearer good",
    handle: (x) => {
      const match = matchRoute(routes, x.method, x.url.pathname);
      if (!match) return x.reply(404, { error: "unknown route" });
      x.route(match.name);
      return match.route.handle(x, match.params);
    },
    ...extra,
  });
  servers.push(server);
  return server;
}

describe("startEmulatorServer", () => {
  it("listens on 127.0.0.1, routes by method and pattern, and counts requests per route", async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/items/1`)).json()).toEqual({ id: 1 });
    expect((await fetch(`${server.url}/items/2`)).status).toBe(404);
    const created = await fetch(`${server.url}/items`, { method: "POST", body: '{"a":1}' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ echo: { a: 1 } });
    expect((await fetch(`${server.url}/nowhere?x=1`)).status).toBe(404);
    expect(server.requests.map((r) => [r.method, r.url, r.route, r.status])).toEqual([
      ["GET", "/items/1", "GET /items/:id", 200],
      ["GET", "/items/2", "GET /items/:id", 404],
      ["POST", "/items", "create item", 201],
      ["GET", "/nowhere?x=1", null, 404],
    ]);
    expect(formatRouteCounts(server.countsByRoute())).toBe(
      "2 × GET /items/:id, 1 × create item, 1 × /nowhere?x=1",
    );
    // Only 2xx answers of named routes are kept for contract checks.
    expect(server.responses).toEqual([
      { route: "GET /items/:id", body: { id: 1 } },
      { route: "create item", body: { echo: { a: 1 } } },
    ]);
  });

  it("records whether a request carried the accepted credentials, never the header", async () => {
    const server = await start();
    await fetch(`${server.url}/items`, { headers: { authorization: "Bearer good" } });
    await fetch(`${server.url}/items`, { headers: { authorization: "Bearer bad" } });
    expect(server.requests.map((r) => r.authorized)).toEqual([true, false]);
    expect(JSON.stringify(server.requests)).not.toContain("good");
  });

  it("answers injected statuses with the vendor's error body and headers, then recovers", async () => {
    const server = await start();
    server.fail({
      path: /^\/items$/,
      times: 2,
      respond: { status: 429, headers: { "retry-after": "7" } },
    });
    const first = await fetch(`${server.url}/items`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("7");
    expect(await first.json()).toEqual({ error: "429", status: 429 });
    expect((await fetch(`${server.url}/items`)).status).toBe(429);
    expect((await fetch(`${server.url}/items`)).status).toBe(200);
  });

  it("matches faults on method and target, query included", async () => {
    const server = await start();
    server.fail({ method: "POST", path: /\/items/, respond: { status: 503 } });
    server.fail({ path: /page=2/, respond: { status: 502, body: { custom: true } } });
    expect((await fetch(`${server.url}/items`)).status).toBe(200);
    const paged = await fetch(`${server.url}/items?page=2`);
    expect([paged.status, await paged.json()]).toEqual([502, { custom: true }]);
    expect((await fetch(`${server.url}/items`, { method: "POST", body: "{}" })).status).toBe(503);
  });

  it("adds headers to a normal answer (soft throttling) and answers raw bodies", async () => {
    const server = await start();
    server.fail({ path: /\/items\/1/, respond: { extraHeaders: { "retry-after": "0.2" } } });
    server.fail({ path: /^\/items$/, respond: { rawBody: '{"trunc', status: 200 } });
    const soft = await fetch(`${server.url}/items/1`);
    expect([soft.status, soft.headers.get("retry-after"), await soft.json()]).toEqual([
      200,
      "0.2",
      { id: 1 },
    ]);
    expect(await (await fetch(`${server.url}/items`)).text()).toBe('{"trunc');
  });

  it("resets the connection, delays, and marks a client that gave up on a hang", async () => {
    const server = await start();
    server.fail({ path: /\/items\/1/, respond: { destroy: true } });
    await expect(fetch(`${server.url}/items/1`)).rejects.toThrow();
    expect(server.requests.at(-1)?.status).toBe(-1);

    server.fail({ path: /\/items\/1/, respond: { delayMs: 60 } });
    const started = Date.now();
    expect((await fetch(`${server.url}/items/1`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);

    server.fail({ path: /\/items\/1/, respond: { hangMs: 10_000 } });
    await expect(
      fetch(`${server.url}/items/1`, { signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 20));
    expect(server.requests.at(-1)?.status).toBe(-2);

    server.fail({ path: /\/items\/1/, respond: { hangMs: 10 } });
    const hung = await fetch(`${server.url}/items/1`);
    expect([hung.status, await hung.json()]).toEqual([
      504,
      { error: "emulator: hung", status: 504 },
    ]);
  });

  it("runs the contract hook on every JSON answer and keeps what it finds", async () => {
    const server = await start({
      validate: ({ route, status, body }) =>
        route === "GET /items/:id" &&
        status === 200 &&
        typeof (body as { id?: unknown }).id !== "string"
          ? ["id must be a string"]
          : [],
    });
    await fetch(`${server.url}/items/1`);
    await fetch(`${server.url}/items`);
    expect(server.contractProblems).toEqual(["GET /items/1: id must be a string"]);
    server.resetLog();
    expect([server.requests, server.responses, server.contractProblems]).toEqual([[], [], []]);
  });

  it("answers 500 and records the crash when a handler throws", async () => {
    const server = await start({
      handle: () => {
        throw new Error("boom");
      },
    });
    expect((await fetch(`${server.url}/x`)).status).toBe(500);
    expect(server.contractProblems).toEqual(["emulator crashed: Error: boom"]);
  });
});
