import { type ChildProcess, execFile, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Paths of the two binaries the test server needs. */
export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Finds `prometheus` and `promtool` on PATH, or null if either is missing. */
export function findPrometheusBinaries(): PrometheusBinaries | null {
  const prometheus = onPath("prometheus");
  const promtool = onPath("promtool");
  return prometheus && promtool ? { prometheus, promtool } : null;
}

/**
 * The binaries for a test file that needs a real Prometheus: when missing, null and a
 * printed reason (`skipping` says what is skipped), except in CI, where
 * `SHIPGATE_REQUIRE_SERVERS` is set and a missing binary is a failure, not a skip.
 */
export function prometheusBinariesForTests(skipping: string): PrometheusBinaries | null {
  const binaries = findPrometheusBinaries();
  if (!binaries && process.env.SHIPGATE_REQUIRE_SERVERS) {
    throw new Error(
      "prometheus/promtool not found but SHIPGATE_REQUIRE_SERVERS is set: apt-get install prometheus",
    );
  }
  if (!binaries) console.warn(`prometheus not installed: apt-get install prometheus — ${skipping}`);
  return binaries;
}

/** Options of {@link startPrometheusTestServer}. */
export interface PrometheusTestServerOptions {
  /** OpenMetrics text (ending `# EOF`) backfilled into the TSDB before the server starts. */
  openMetrics?: string;
  /** YAML appended to the minimal config (which has no scrape targets), e.g. `remote_read:`. */
  extraConfig?: string;
  binaries?: PrometheusBinaries;
  /** How long to wait for `/-/ready`. Default 20 000 ms. */
  readyTimeoutMs?: number;
}

/** A running throw-away Prometheus. */
export interface PrometheusTestServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** SIGTERM, wait for the exit, delete the data. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args[0] ?? ""} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited before it was ready:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`prometheus was not ready within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Starts a real Prometheus on 127.0.0.1 with a free port and a temporary TSDB, for
 * integration tests. Data is backfilled before start with `promtool tsdb
 * create-blocks-from openmetrics`; retention is 100 years because backfilled samples are
 * old by design (the head block only accepts recent data, so tests query the past).
 *
 * @example
 * ```ts
 * const server = await startPrometheusTestServer({ openMetrics: trafficOpenMetrics(fixture) });
 * try { … fetch(`${server.url}/api/v1/query`) … } finally { await server.stop(); }
 * ```
 */
export async function startPrometheusTestServer(
  options: PrometheusTestServerOptions = {},
): Promise<PrometheusTestServer> {
  const binaries = options.binaries ?? findPrometheusBinaries();
  if (!binaries) throw new Error("prometheus not installed: apt-get install prometheus");
  const dir = await mkdtemp(join(tmpdir(), "shipgate-prometheus-"));
  const dataDir = join(dir, "data");
  const configFile = join(dir, "prometheus.yml");
  try {
    if (options.openMetrics !== undefined) {
      const input = join(dir, "backfill.om");
      await writeFile(input, options.openMetrics);
      await run(binaries.promtool, [
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "-q",
        input,
        dataDir,
      ]);
    }
    await writeFile(
      configFile,
      `global:\n  scrape_interval: 15s\nscrape_configs: []\n${options.extraConfig ?? ""}\n`,
    );
    // A port found free can be taken before Prometheus binds it; try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(
        binaries.prometheus,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${dataDir}`,
          "--storage.tsdb.retention.time=100y",
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-8000);
      });
      const killOnExit = () => child.kill("SIGKILL");
      process.once("exit", killOnExit);
      try {
        await waitReady(url, child, () => stderr, options.readyTimeoutMs ?? 20_000);
      } catch (error) {
        lastError = error;
        child.kill("SIGKILL");
        await exited(child);
        process.removeListener("exit", killOnExit);
        if (/address already in use/.test(stderr)) continue;
        throw error;
      }
      return {
        url,
        port,
        async stop() {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited(child);
          clearTimeout(timer);
          process.removeListener("exit", killOnExit);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    throw lastError;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
