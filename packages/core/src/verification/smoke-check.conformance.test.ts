import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createVirtualClock, describeSmokeCheckConformance } from "../testing/index.js";
import { createCommandSmokeCheck } from "./command-smoke-check.js";
import { createHttpSmokeCheck } from "./http-smoke-check.js";

describeSmokeCheckConformance("http smoke check", async () => {
  const server = createServer((req, res) => {
    if (req.url === "/healthz") res.writeHead(200).end("ok");
    else res.writeHead(503).end("down");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const deps = { clock: createVirtualClock() };
  const common = {
    type: "http",
    method: "GET",
    expect_status: 200,
    timeout_ms: 2000,
    retries: 1,
  } as const;
  return {
    passing: createHttpSmokeCheck({ ...common, name: "up", url: `${base}/healthz` }, deps),
    failing: createHttpSmokeCheck({ ...common, name: "down", url: `${base}/down` }, deps),
    cleanup: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});

describeSmokeCheckConformance("command smoke check", () => {
  const deps = { clock: createVirtualClock() };
  const common = { type: "command", timeout_ms: 5000, retries: 1 } as const;
  return {
    passing: createCommandSmokeCheck(
      { ...common, name: "ok", command: [process.execPath, "-e", "process.exit(0)"] },
      deps,
    ),
    failing: createCommandSmokeCheck(
      {
        ...common,
        name: "fails",
        command: [process.execPath, "-e", "console.error('nope'); process.exit(1)"],
      },
      deps,
    ),
  };
});
