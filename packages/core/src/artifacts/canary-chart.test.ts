import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOMParser, type Element } from "@xmldom/xmldom";
import { afterAll, describe, expect, it } from "vitest";
import { releaseSpecSchema } from "../model/release-spec.js";
import { type EvidenceEntry, newRunRecord, type RunRecord } from "../model/run-record.js";
import { createMemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { runScenario } from "../testing/run-scenario.js";
import type { ScenarioInput } from "../testing/scenario.js";
import { canaryChartData, renderCanaryChart, renderCanaryChartOf } from "./canary-chart.js";
import { chartPathFor } from "./report-path.js";

const SHA = "1111111111111111111111111111111111111111";
/** The release every chart here is drawn for, as its config says it. */
const RELEASE = {
  environment: "production",
  service: "checkout",
  version: "v1.4.0",
  sha: SHA,
  previous_release_tag: "v1.3.0",
  canary_steps: [5, 25, 100],
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
};
const spec = releaseSpecSchema.parse(RELEASE);

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 10, minute)).toISOString();

/** A poll row carrying the judge's per-poll numbers (canary, and stable when given). */
function poll(
  minute: number,
  weight: number,
  canary: [number, number],
  stable: [number, number] | null = null,
  result: EvidenceEntry["result"] = "pass",
): EvidenceEntry {
  return {
    at: at(minute),
    kind: "slo",
    phase: "canary",
    weight,
    result,
    detail: "",
    judge: {
      evidence: {
        canary: { errorRate: canary[0], p95LatencyMs: canary[1] },
        stable: stable ? { errorRate: stable[0], p95LatencyMs: stable[1] } : null,
      },
    },
  } as EvidenceEntry;
}

/** A breach at 25% after a clean 5% step, rolled back and verified. */
function breachRecord(): RunRecord {
  const record = newRunRecord(spec, false, at(0));
  record.steps.push(
    {
      weight: 5,
      phase: "canary",
      startedAt: at(0),
      endedAt: at(10),
      polls: 2,
      errorRate: 0.002,
      p95LatencyMs: 150,
      sampleCount: 900,
      result: "passed",
      reason: null,
    },
    {
      weight: 25,
      phase: "canary",
      startedAt: at(10),
      endedAt: at(16),
      polls: 3,
      errorRate: 0.031,
      p95LatencyMs: 260,
      sampleCount: 2400,
      result: "breached",
      reason: "error rate 3.10% > 1.00% at 25%",
    },
  );
  record.evidence.push(
    poll(5, 5, [0.002, 140], [0.002, 130]),
    poll(10, 5, [0.002, 150], [0.001, 135]),
    poll(12, 25, [0.004, 200], [0.002, 140]),
    poll(14, 25, [0.012, 240], [0.002, 138]),
    poll(16, 25, [0.031, 260], [0.002, 142], "fail"),
  );
  record.rollback = {
    reason: "error rate 3.10% > 1.00% at 25%",
    startedAt: at(16),
    endedAt: at(18),
    aborted: true,
    rolledBack: true,
    verified: true,
    message: "stable serves again",
    smoke: [],
  };
  record.endedAt = at(18);
  return record;
}

const parse = (svg: string) => {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") errors.push(message);
    },
  }).parseFromString(svg, "image/svg+xml");
  expect(errors).toEqual([]);
  return doc;
};
const all = (doc: ReturnType<typeof parse>, tag: string) =>
  Array.from(doc.getElementsByTagName(tag)) as unknown as Element[];

describe("canary chart data (a function of the run record)", () => {
  it("takes every poll's canary and stable numbers, the steps, the breach and the rollback", () => {
    const data = canaryChartData(breachRecord())!;
    expect(data.steps.map((s) => [s.label, s.result])).toEqual([
      ["5%", "passed"],
      ["25%", "breached"],
    ]);
    expect(data.canary.errorRate.map((p) => p.value)).toEqual([0.002, 0.002, 0.004, 0.012, 0.031]);
    expect(data.canary.p95LatencyMs.map((p) => p.value)).toEqual([140, 150, 200, 240, 260]);
    expect(data.stable.errorRate).toHaveLength(5);
    expect(data.objectives).toEqual({ errorRateMax: 0.01, p95LatencyMs: 300 });
    expect(data.markers).toEqual([
      { kind: "breach", atMs: Date.parse(at(16)), label: "breach at 25%" },
    ]);
    expect(data.rollback).toEqual({
      startMs: Date.parse(at(16)),
      endMs: Date.parse(at(18)),
      verified: true,
    });
    expect(data.startMs).toBe(Date.parse(at(0)));
    expect(data.endMs).toBe(Date.parse(at(18)));
  });

  it("falls back to each step's last reading when the evidence rows carry no numbers", () => {
    const record = breachRecord();
    record.evidence = record.evidence.map(({ at, kind, phase, weight, result, detail }) => ({
      at,
      kind,
      phase,
      weight,
      result,
      detail,
    }));
    const data = canaryChartData(record)!;
    expect(data.canary.errorRate).toEqual([
      { atMs: Date.parse(at(10)), value: 0.002 },
      { atMs: Date.parse(at(16)), value: 0.031 },
    ]);
    expect(data.stable.errorRate).toEqual([]);
  });

  it("marks the promotion of a successful release, and draws nothing when no step ran", () => {
    const record = newRunRecord(spec, false, at(0));
    for (const [i, weight] of [5, 25, 100].entries())
      record.steps.push({
        weight,
        phase: "canary",
        startedAt: at(i * 10),
        endedAt: at(i * 10 + 10),
        polls: 1,
        errorRate: 0.001,
        p95LatencyMs: 120,
        sampleCount: 100,
        result: "passed",
        reason: null,
      });
    record.steps.push({
      weight: 100,
      phase: "stabilization",
      startedAt: at(31),
      endedAt: at(41),
      polls: 1,
      errorRate: 0.001,
      p95LatencyMs: 118,
      sampleCount: 100,
      result: "passed",
      reason: null,
    });
    record.promoted = true;
    const data = canaryChartData(record)!;
    expect(data.markers).toEqual([
      { kind: "promotion", atMs: Date.parse(at(31)), label: "promoted" },
    ]);
    expect(data.rollback).toBeNull();
    expect(data.steps.map((s) => s.label)).toEqual(["5%", "25%", "100%", "stabilization"]);
    expect(renderCanaryChartOf(newRunRecord(spec, false, at(0)))).toBeNull();
  });
});

describe("canary chart SVG", () => {
  const svg = renderCanaryChart(canaryChartData(breachRecord())!);
  const doc = parse(svg);

  it("is a standalone SVG document with a title and a description", () => {
    const root = doc.documentElement!;
    expect(root.nodeName).toBe("svg");
    expect(root.getAttribute("xmlns")).toBe("http://www.w3.org/2000/svg");
    expect(all(doc, "title")[0]!.textContent).toBe(
      "checkout v1.4.0 in production: canary error rate and p95",
    );
    expect(all(doc, "desc")[0]!.textContent).toContain("25% breached");
    expect(svg).not.toMatch(/<script|href=/);
  });

  it("draws both panels with the objective line at the objective's height", () => {
    const panels = all(doc, "g").filter((g) => g.getAttribute("class") === "panel");
    expect(panels.map((p) => p.getAttribute("data-metric"))).toEqual(["errorRate", "p95LatencyMs"]);
    for (const [index, panel] of panels.entries()) {
      const frame = Array.from(panel.getElementsByTagName("rect"))[0]!;
      const top = Number(frame.getAttribute("y"));
      const height = Number(frame.getAttribute("height"));
      const objective = Array.from(panel.getElementsByTagName("line")).find(
        (l) => l.getAttribute("class") === "objective",
      )!;
      // Scale top = 1.2 × the highest of values and objective.
      const [value, max] = index === 0 ? [0.01, 0.031 * 1.2] : [300, 300 * 1.2];
      const y = top + height - (value / max) * height;
      expect(Number(objective.getAttribute("y1"))).toBeCloseTo(y, 0);
    }
  });

  it("plots every poll for canary and stable, marks the breach and shades the rollback", () => {
    const circles = all(doc, "circle");
    expect(circles.filter((c) => c.getAttribute("data-track") === "canary")).toHaveLength(10);
    expect(circles.filter((c) => c.getAttribute("data-track") === "stable")).toHaveLength(10);
    const lines = all(doc, "line");
    expect(lines.filter((l) => l.getAttribute("data-kind") === "breach")).toHaveLength(2);
    expect(all(doc, "rect").filter((r) => r.getAttribute("class") === "rollback")).toHaveLength(2);
    expect(all(doc, "text").some((t) => t.textContent === "rollback (verified)")).toBe(true);
    const steps = all(doc, "rect").filter((r) => r.getAttribute("class") === "step");
    expect(steps.map((r) => r.getAttribute("data-step"))).toEqual(["5%", "25%", "5%", "25%"]);
    // The highest canary error rate is the highest point: the smallest y in the upper panel.
    const canary = circles.filter((c) => c.getAttribute("data-track") === "canary").slice(0, 5);
    const ys = canary.map((c) => Number(c.getAttribute("cy")));
    expect(Math.min(...ys)).toBe(ys[4]);
  });

  it("escapes what it prints", () => {
    const record = breachRecord();
    record.spec = { ...record.spec, service: 'a<b>&"c' };
    const out = renderCanaryChartOf(record)!;
    expect(parse(out).getElementsByTagName("title")[0]!.textContent).toContain('a<b>&"c');
  });
});

// A real renderer proves the SVG is valid beyond well-formed XML. CI installs librsvg2-bin.
const rsvg = spawnSync("rsvg-convert", ["--version"]).status === 0;
const required = process.env.SHIPGATE_REQUIRE_SERVERS === "1";
const renderIt = rsvg
  ? it
  : required
    ? (name: string) =>
        it(name, () => {
          throw new Error("rsvg-convert (librsvg2-bin) is required (SHIPGATE_REQUIRE_SERVERS=1)");
        })
    : (name: string, fn: () => Promise<void>) =>
        it.skip(`${name} — skipped: rsvg-convert not installed (apt-get install librsvg2-bin)`, fn);

const work = mkdtempSync(join(tmpdir(), "shipgate-chart-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Renders an SVG to PNG with rsvg-convert; returns the PNG's width and height. */
function renderPng(svg: string, name: string): { width: number; height: number } {
  const input = join(work, `${name}.svg`);
  const output = join(work, `${name}.png`);
  writeFileSync(input, svg);
  const run = spawnSync("rsvg-convert", ["-o", output, input], { encoding: "utf8" });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const png = readFileSync(output);
  expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const breachScenario: ScenarioInput = {
  release: RELEASE,
  repository: { tags: { "v1.3.0": "0".repeat(39) + "1" } },
  ci: { checks: [{ name: "build", conclusion: "success" }] },
  metrics: {
    default: { error_rate: 0.002, p95_latency_ms: 180 },
    "25": { error_rate: [0.004, 0.012, 0.031], p95_latency_ms: [200, 240, 260] },
  },
} as ScenarioInput;

describe("the chart beside the report and in the incident", () => {
  it("a breach writes release-<version>.svg once, embeds it in the report and links it from the incident; a retry gets -retry1", async () => {
    const artifacts = createMemoryArtifactStore();
    const first = await runScenario(breachScenario, { artifacts });
    expect(first.outcome.exitCode).toBe(3);
    const chartPath = "devops/reports/release-v1.4.0.svg";
    expect(chartPathFor(first.outcome.paths.report!)).toBe(chartPath);
    expect(first.outcome.paths.all).toContain(chartPath);
    const svg = (await artifacts.read(chartPath))._unsafeUnwrap()!;
    const doc = parse(svg);
    expect(all(doc, "line").some((l) => l.getAttribute("data-kind") === "breach")).toBe(true);
    expect(all(doc, "rect").some((r) => r.getAttribute("class") === "rollback")).toBe(true);
    const report = (await artifacts.read(first.outcome.paths.report!))._unsafeUnwrap()!;
    expect(report).toMatch(/^!\[Canary chart[^\]]*\]\(release-v1\.4\.0\.svg\)$/m);
    const incident = (await artifacts.read(first.outcome.paths.incident!))._unsafeUnwrap()!;
    expect(incident).toContain(
      "- Canary chart: [devops/reports/release-v1.4.0.svg](../devops/reports/release-v1.4.0.svg)",
    );
    expect(incident).toMatch(
      /^!\[Canary chart[^\]]*\]\(\.\.\/devops\/reports\/release-v1\.4\.0\.svg\)$/m,
    );

    const again = await runScenario(breachScenario, { artifacts });
    expect(again.outcome.paths.report).toBe("devops/reports/release-v1.4.0-retry1.md");
    expect(again.outcome.paths.all).toContain("devops/reports/release-v1.4.0-retry1.svg");
    expect((await artifacts.read(chartPath))._unsafeUnwrap()).toBe(svg); // never overwritten
  });

  it("a blocked release draws no chart", async () => {
    const artifacts = createMemoryArtifactStore();
    const blocked = await runScenario(
      { ...breachScenario, ci: { checks: [{ name: "build", conclusion: "failure" }] } },
      { artifacts },
    );
    expect(blocked.outcome.exitCode).toBe(2);
    expect(
      (await artifacts.list("devops/reports"))._unsafeUnwrap().some((f) => f.endsWith(".svg")),
    ).toBe(false);
  });

  renderIt("renders to PNG with rsvg-convert (breach, success, stable track)", async () => {
    const breach = await runScenario(breachScenario);
    const svg = (await breach.artifacts.read("devops/reports/release-v1.4.0.svg"))._unsafeUnwrap()!;
    expect(renderPng(svg, "breach")).toEqual({ width: 880, height: 520 });
    const success = await runScenario({
      ...breachScenario,
      metrics: { default: { error_rate: 0.002, p95_latency_ms: 180 } },
    } as ScenarioInput);
    expect(success.outcome.exitCode).toBe(0);
    const ok = (await success.artifacts.read("devops/reports/release-v1.4.0.svg"))._unsafeUnwrap()!;
    expect(ok).toContain('data-kind="promotion"');
    expect(renderPng(ok, "success")).toEqual({ width: 880, height: 520 });
    expect(renderPng(renderCanaryChartOf(breachRecord())!, "stable")).toEqual({
      width: 880,
      height: 520,
    });
  });
});
