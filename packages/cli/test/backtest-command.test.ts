import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { backtestReportSchema, createFsArtifactStore, type SloSource } from "@shipgate/core";
import { runPastReleases } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { CliIo } from "../src/cli-io.js";
import { main } from "../src/main.js";

const ADAPTER = resolve(import.meta.dirname, "fixtures/traffic-adapter.mjs");
const DAY = 86_400_000;
const T0 = Date.parse("2026-11-02T10:00:00.000Z");
const SLO = { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 };
const RUNS = [
  { version: "v1.1.0", previous: "v1.0.0", canary: 0.002, stable: 0.002 },
  { version: "v1.2.0", previous: "v1.1.0", canary: 0.08, stable: 0.002 },
  { version: "v1.2.1", previous: "v1.1.0", canary: 0.004, stable: 0.004 },
];
const traffic = RUNS.flatMap((r, i) => {
  const from = new Date(T0 + i * DAY - 300_000).toISOString();
  const to = new Date(T0 + i * DAY + 3 * 3_600_000).toISOString();
  return [
    {
      version: r.version,
      from,
      to,
      requests_per_minute: 400,
      error_rate: r.canary,
      p95_latency_ms: 120,
    },
    {
      version: r.previous,
      from,
      to,
      requests_per_minute: 4000,
      error_rate: r.stable,
      p95_latency_ms: 120,
    },
  ];
});

function io(cwd: string) {
  const out = { stdout: "", stderr: "" };
  const cli: CliIo = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env: { NO_COLOR: "1" },
    cwd,
  };
  return { cli, out };
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  }
  return files;
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipgate-backtest-cli-"));
  const { shipgateProvider } = (await import(ADAPTER)) as {
    shipgateProvider: { create(o: unknown, c: unknown): { _unsafeUnwrap(): { slo: SloSource } } };
  };
  const slo = shipgateProvider.create({ traffic }, { env: {}, cwd: dir })._unsafeUnwrap().slo;
  const artifacts = createFsArtifactStore({ rootDir: dir });
  await runPastReleases(RUNS, { slo: SLO, sloSource: slo, artifacts, startMs: T0 });
  await writeFile(
    join(dir, "shipgate.yaml"),
    stringify({
      release: { service: "shop", environment: "production", slo: SLO },
      slo: { use: ADAPTER, with: { traffic } },
    }),
  );
  await writeFile(
    join(dir, "strict.yaml"),
    stringify({ slo: { ...SLO, error_rate_max: 0.003 }, policy: { judge: { kind: "threshold" } } }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("shipgate backtest", () => {
  it("--json: the current policy reproduces what happened, in the documented format", async () => {
    const { cli, out } = io(dir);
    const code = await main(["backtest", "--json"], cli);
    expect(out.stderr).toBe("");
    expect(code).toBe(0);
    const report = backtestReportSchema.parse(JSON.parse(out.stdout));
    expect(report.version).toBe(1);
    expect(
      report.releases.map((r) => [r.version, r.actual.decision, r.candidate.decision, r.changed]),
    ).toEqual([
      ["v1.1.0", "promoted", "promote", false],
      ["v1.2.0", "rolled_back", "rollback", false],
      ["v1.2.1", "promoted", "promote", false],
    ]);
    expect(report.totals).toMatchObject({
      releases: 3,
      would_roll_back: 1,
      would_promote: 2,
      changed: 0,
    });
  });

  it("--policy: a table of what a stricter candidate would decide, with totals", async () => {
    const { cli, out } = io(dir);
    const code = await main(["backtest", "--policy", "strict.yaml", "--last", "2"], cli);
    expect(code).toBe(0);
    const lines = out.stdout.split("\n");
    expect(lines[0]).toBe(
      "Backtest: 2 release(s), judge threshold, SLO source traffic, polls every 60 s",
    );
    const row = lines.find((l) => l.startsWith("shop v1.2.1"));
    expect(row).toMatch(
      /promoted\s+rollback \*\s+5% min 1\s+-39\s+error rate 0\.50% > 0\.30% at 5%/,
    );
    expect(lines.find((l) => l.startsWith("shop v1.2.0"))).toMatch(
      /rolled back \(5% min 1\)\s+rollback\s+5% min 1\s+0/,
    );
    expect(out.stdout).not.toContain("v1.1.0");
    expect(out.stdout).toContain(
      "changed decisions (*): 1 (promoted then, rolled back now: 1; rolled back then, not now: 0)",
    );
    expect(out.stdout).toContain("canary minutes saved: 39   added: 0");
  });

  it("writes nothing but --out, and never overwrites it", async () => {
    const before = await snapshot(dir);
    const first = io(dir);
    expect(await main(["backtest", "--json", "--out", "backtest.json"], first.cli)).toBe(0);
    expect(first.out.stdout).toBe("");
    const after = await snapshot(dir);
    const { "backtest.json": written, ...rest } = after;
    expect(written).toBeDefined();
    expect(rest).toEqual(before);
    backtestReportSchema.parse(JSON.parse(await readFile(join(dir, "backtest.json"), "utf8")));
    const second = io(dir);
    expect(await main(["backtest", "--out", "backtest.json"], second.cli)).toBe(1);
    expect(second.out.stderr).toMatch(/--out: backtest.json exists already/);
    await rm(join(dir, "backtest.json"));
  });

  it("says which flag or field is wrong", async () => {
    const a = io(dir);
    expect(await main(["backtest", "--last", "0"], a.cli)).toBe(1);
    expect(a.out.stderr).toMatch(/--last: must be a whole number/);
    const b = io(dir);
    expect(await main(["backtest", "--since", "yesterday"], b.cli)).toBe(1);
    expect(b.out.stderr).toMatch(/--since: must be a date/);
    await writeFile(join(dir, "bad.yaml"), stringify({ slo: { ...SLO, window_minutes: "ten" } }));
    const c = io(dir);
    expect(await main(["backtest", "--policy", "bad.yaml"], c.cli)).toBe(1);
    expect(c.out.stderr).toMatch(/bad\.yaml: .*slo\.window_minutes/);
  });

  it("--since picks releases by start time", async () => {
    const { cli, out } = io(dir);
    expect(await main(["backtest", "--json", "--since", "2026-11-03"], cli)).toBe(0);
    const report = backtestReportSchema.parse(JSON.parse(out.stdout));
    expect(report.releases.map((r) => r.version)).toEqual(["v1.2.0", "v1.2.1"]);
  });
});
