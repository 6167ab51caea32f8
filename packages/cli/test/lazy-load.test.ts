import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { KNOWN_ADAPTERS } from "../src/provider-loader.js";
import { cliEnv, runCli, useWorkspace } from "./cli-harness.js";

const RECORD = resolve(import.meta.dirname, "fixtures/record-loads.mjs");

const ws = useWorkspace();

let n = 0;
/** Runs the built CLI with a loader hook; returns its run and every module URL it loaded. */
async function loads(args: string[], cwd: string) {
  n += 1;
  const log = join(ws.root, `loads-${n}.txt`);
  const run = await runCli(args, {
    cwd,
    env: cliEnv({ SHIPGATE_LOAD_LOG: log, NODE_OPTIONS: `--import=${RECORD}` }),
  });
  const urls = (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
  return { run, urls: [...new Set(urls)] };
}

const ownModules = (urls: string[]) =>
  urls.filter((u) => u.includes("/packages/cli/dist/")).map((u) => u.replace(/.*\/dist\//, ""));

describe("each command loads only what it uses", () => {
  it("--help and --version load node built-ins and the command table, nothing else", async () => {
    for (const flag of ["--help", "--version", "release --help"]) {
      const { run, urls } = await loads(flag.split(" "), ws.root);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(0);
      expect(ownModules(urls), flag).toContain("bin.js");
      const packages = urls.filter((u) => u.includes("/node_modules/"));
      expect(packages, flag).toEqual([]);
      expect(
        ownModules(urls).some((f) => /-command-/.test(f)),
        flag,
      ).toBe(false);
      expect(
        urls.some((u) => u.includes("/core/")),
        flag,
      ).toBe(false);
    }
  });

  it("an unknown command loads the colours to say so, and no command", async () => {
    const { run, urls } = await loads(["relase"], ws.root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('did you mean "release"');
    expect(ownModules(urls).some((f) => f.startsWith("cli-io-"))).toBe(true);
    expect(ownModules(urls).some((f) => /-command-/.test(f))).toBe(false);
  });

  it("release reaches its events without loading adapters it does not use or other commands", async () => {
    const dir = await ws.simConfigDir("lazy-release");
    const { run, urls } = await loads(["release", "--json", ...ws.versionArgs("v1.9.0")], dir);
    expect(run.code, run.stderr).toBe(0);
    const first = JSON.parse(run.stdout.split("\n")[0]!) as { type: string };
    expect(first.type).toMatch(/^[a-z]+\.[a-z.]+$/);
    // What it uses: core, and the config's own adapter module.
    expect(urls.some((u) => u.endsWith("/fixtures/sim-adapter.mjs"))).toBe(true);
    expect(urls.some((u) => u.includes("/packages/core/dist/index.js"))).toBe(true);
    expect(ownModules(urls).some((f) => f.startsWith("release-command-"))).toBe(true);
    // What it does not.
    for (const adapter of KNOWN_ADAPTERS) {
      const dirName = adapter.replace("@shipgate/", "/packages/");
      expect(
        urls.filter((u) => u.includes(`/${adapter}/`) || u.includes(`${dirName}/`)),
        adapter,
      ).toEqual([]);
    }
    expect(
      ownModules(urls).filter((f) => /^(demo|simulate|plan|config-validate)-command-/.test(f)),
    ).toEqual([]);
  });
});
