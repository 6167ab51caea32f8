import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
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
  /** Every file under a directory, relative, sorted (to prove nothing was written). */
  files(dir: string): Promise<string[]>;
  cleanup(): Promise<void>;
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
  return {
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
    files,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A working config: git over the demo repo, the simulated adapter for ci/deployer/slo. */
export function simConfig(
  ws: Workspace,
  dir: string,
  options: {
    release?: string;
    adapterWith?: string;
    extra?: string;
  } = {},
): string {
  const adapter = relative(dir, SIM_ADAPTER);
  const repoPath = relative(dir, ws.repo.dir);
  const withBlock = options.adapterWith ?? "{}";
  return `release:
  service: checkout
  environment: production
  previous_release_tag: v1.3.0
  canary_steps: [5, 25, 100]
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 0.005 }
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
