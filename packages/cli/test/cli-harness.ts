import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { createDemoRepository, type DemoRepository } from "../src/demo-repository.js";

/** The built executable: tests exercise what users run. */
export const BIN = resolve(import.meta.dirname, "../dist/bin.js");
/** A user's own adapter module (CI, deployer and SLO over core's simulators). */
export const SIM_ADAPTER = resolve(import.meta.dirname, "fixtures/sim-adapter.mjs");
export const NOT_AN_ADAPTER = resolve(import.meta.dirname, "fixtures/not-an-adapter.mjs");

/** Fails early with what to do when the binary was not built. */
export function requireBuiltCli(): void {
  if (!existsSync(BIN))
    throw new Error(
      `${BIN} is missing: run \`pnpm build\` (or \`cd packages/cli && npx tsup\`) first`,
    );
}

/** What a run of the CLI printed and returned. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Asserts a run refused its input: exit 1 and exactly `line` on stderr. */
export function expectCliError(run: CliRun, line: string): void {
  expect(run.code).toBe(1);
  expect(run.stderr.trim()).toBe(line);
}

/** The JSON objects a `--json` run printed, one a line (events, or a final error). */
// biome-ignore lint/suspicious/noExplicitAny: events of every type, read field by field in tests
export function jsonLines(text: string): any[] {
  return text
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

/** Expects `text` to contain every one of `lines`, naming the first one missing. */
export function expectToContainAll(text: string, lines: readonly string[]): void {
  for (const line of lines) expect(text).toContain(line);
}

/** The environment of a spawned CLI: no colours, no CI detection surprises. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

/** Runs `node dist/bin.js …` to completion. */
export function runCli(
  args: string[],
  options: {
    cwd: string;
    env?: NodeJS.ProcessEnv;
    onStdout?: (all: string, child: ReturnType<typeof spawn>) => void;
    timeoutMs?: number;
  },
): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env ?? cliEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`shipgate ${args.join(" ")} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, options.timeoutMs ?? 20_000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** A temp directory with a demo git repository and helpers to write a config beside it. */
export interface Workspace {
  root: string;
  repo: DemoRepository;
  /** A fresh config directory under the workspace; artifacts go there. */
  configDir(name: string, yaml: string | ((dir: string) => string)): Promise<string>;
  /** A fresh config directory holding {@link simConfig} with `options`. */
  simConfigDir(name: string, options?: SimConfigOptions): Promise<string>;
  /** Every file under a directory, relative, sorted (to prove nothing was written). */
  files(dir: string): Promise<string[]>;
  /** The demo repository's tags, in the order `git tag --list` prints them. */
  tags(): string[];
  /** `--version <version> --sha <head of the demo repository>`. */
  versionArgs(version: string): string[];
  cleanup(): Promise<void>;
}

/**
 * The file's workspace: created (after checking the CLI was built) before its tests, removed
 * after them. The object is filled in once the tests run; `prepare` adds to it first.
 */
export function useWorkspace(prepare?: (ws: Workspace) => Promise<void>): Workspace {
  const ws = {} as Workspace;
  beforeAll(async () => {
    requireBuiltCli();
    Object.assign(ws, await createWorkspace());
    await prepare?.(ws);
  });
  afterAll(() => ws.cleanup?.());
  return ws;
}

/** A scratch directory for the file's tests, removed after them (after checking the CLI was built). */
export function useTempDir(prefix: string): { readonly path: string } {
  const tmp = { path: "" };
  beforeAll(async () => {
    requireBuiltCli();
    tmp.path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(() => (tmp.path ? rm(tmp.path, { recursive: true, force: true }) : undefined));
  return tmp;
}

export async function createWorkspace(): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), "shipgate-cli-test-"));
  const repo = await createDemoRepository(join(root, "repo"));
  const files = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    const walk = async (d: string) => {
      for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
        const full = join(d, entry.name);
        if (entry.isDirectory()) await walk(full);
        else out.push(relative(dir, full));
      }
    };
    await walk(dir);
    return out.sort();
  };
  const ws: Workspace = {
    root,
    repo,
    async configDir(name, yaml) {
      const dir = join(root, name);
      await mkdir(dir, { recursive: true });
      await writeFile(
        join(dir, "shipgate.yaml"),
        typeof yaml === "string" ? yaml : yaml(dir),
        "utf8",
      );
      return dir;
    },
    simConfigDir: (name, options) => ws.configDir(name, (d) => simConfig(ws, d, options)),
    files,
    tags: () =>
      execFileSync("git", ["tag", "--list"], { cwd: repo.dir, encoding: "utf8" })
        .split("\n")
        .filter(Boolean),
    versionArgs: (version) => ["--version", version, "--sha", repo.headSha],
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
  return ws;
}

/** What {@link simConfig} may change in the working config. */
export interface SimConfigOptions {
  /** Lines added to the `release:` block. */
  release?: string;
  /** The `with:` of the simulated adapter, for ci, deployer and slo alike. */
  adapterWith?: string;
  /** Lines added at the end. */
  extra?: string;
  /** Windows of 5 minutes instead of a fraction of a second: the canary is still running when a test interrupts it. */
  longWindows?: boolean;
}

/** The simulated adapter's `with:` for a breach at 25%: 5% errors there, 0.1% everywhere else. */
export const BREACH_AT_25 =
  '{ metrics: { "25": { error_rate: 0.05, p95_latency_ms: 120 }, default: { error_rate: 0.001, p95_latency_ms: 120 } } }';

/**
 * Changes one provider (`ci`, `deployer`, `slo` …) of a {@link simConfig}: points it at
 * another package or module (`use`), or gives the simulated adapter other options (`with`).
 */
export function withProvider(
  yaml: string,
  key: string,
  change: { use: string } | { with: string },
): string {
  if ("use" in change)
    return yaml.replace(new RegExp(`^${key}: .*$`, "m"), `${key}: { use: "${change.use}" }`);
  return yaml.replace(
    new RegExp(`^${key}: \\{ use: "([^"]+)", with: \\{\\} \\}$`, "m"),
    `${key}: { use: "$1", with: ${change.with} }`,
  );
}

/**
 * Writes the lock file of a release that is still running (this test process, on this host)
 * into a config directory; returns the holder written and the file's path.
 */
export async function writeLiveLock(
  dir: string,
  holder: { id: string; version: string; startedAt?: string },
) {
  await mkdir(join(dir, "devops/status"), { recursive: true });
  const written = {
    id: holder.id,
    host: hostname(),
    pid: process.pid,
    startedAt: holder.startedAt ?? new Date().toISOString(),
    version: holder.version,
  };
  const path = join(dir, "devops/status/release-checkout.lock");
  await writeFile(path, JSON.stringify(written));
  return { holder: written, path };
}

/** A working config: git over the demo repo, the simulated adapter for ci/deployer/slo. */
export function simConfig(ws: Workspace, dir: string, options: SimConfigOptions = {}): string {
  const adapter = relative(dir, SIM_ADAPTER);
  const repoPath = relative(dir, ws.repo.dir);
  const withBlock = options.adapterWith ?? "{}";
  return `release:
  service: checkout
  environment: production
  previous_release_tag: v1.3.0
  canary_steps: [5, 25, 100]
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: ${options.longWindows ? 5 : 0.005} }
  stabilization_minutes: 0
  policy: { poll_interval_seconds: 0.1 }
${options.release ?? ""}
source_control:
  use: git
  with: { path: "${repoPath}", remote_url: "https://github.com/acme/checkout" }
ci: { use: "${adapter}", with: ${withBlock} }
deployer: { use: "${adapter}", with: ${withBlock} }
slo: { use: "${adapter}", with: ${withBlock} }
${options.extra ?? ""}
`;
}

/** What a CI step printed (stdout and stderr, interleaved as a runner logs them) and its exit code. */
export interface LoggedRun {
  code: number | null;
  log: string;
}

/**
 * Runs a CI step's shell as a runner does: one log of stdout and stderr, `onLog` told of each
 * chunk with the child's pid, killed after 25 s (its whole process group when `detached`).
 */
export function runLogged(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    /** Runs in its own process group, which is what a runner signals. */
    detached?: boolean;
    /** Named in the time-out error: "the action", "the job". */
    what: string;
    onLog?: (log: string, pid: number) => void;
  },
): Promise<LoggedRun> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.detached ?? false,
    });
    let log = "";
    const timer = setTimeout(() => {
      if (options.detached) process.kill(-child.pid!, "SIGKILL");
      else child.kill("SIGKILL");
      fail(new Error(`${options.what} timed out:\n${log}`));
    }, 25_000);
    const onData = (d: Buffer) => {
      log += d.toString();
      options.onLog?.(log, child.pid!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, log });
    });
  });
}

/**
 * An `onLog` that cancels a CI step once, the way a runner does when the job is cancelled,
 * as soon as the canary's first 5% poll is ok; `sent()` says whether it did.
 */
export function cancelOnceCanaryRuns(cancel: (pid: number) => void): {
  onLog: (log: string, pid: number) => void;
  sent: () => boolean;
} {
  let sent = false;
  return {
    onLog(log, pid) {
      if (sent || !/canary 5% .*ok$/m.test(log)) return;
      sent = true;
      cancel(pid);
    },
    sent: () => sent,
  };
}

/** `shipgate demo --real-time` with short windows, as an interactive test drives it. */
export function realTimeDemoArgs(options: {
  windowSeconds: number;
  pollSeconds: number;
  dir: string;
  scenario?: string;
}): string[] {
  return [
    "demo",
    "--real-time",
    "--window-seconds",
    String(options.windowSeconds),
    "--poll-seconds",
    String(options.pollSeconds),
    ...(options.scenario ? ["--scenario", options.scenario] : []),
    "--dir",
    options.dir,
  ];
}

/**
 * `shipgate demo --real-time` in `dir`, SIGKILLed two seconds into its 5% canary: what a
 * dead runner leaves (a canary nobody watches, its lock, an in-progress report).
 */
export async function killDemoMidCanary(dir: string, cwd: string): Promise<CliRun> {
  let killed = false;
  return runCli(realTimeDemoArgs({ windowSeconds: 6, pollSeconds: 1, dir }), {
    cwd,
    onStdout(all, child) {
      if (!killed && /canary 5% 2s\/6s/.test(all)) {
        killed = true;
        child.kill("SIGKILL");
      }
    },
  });
}
