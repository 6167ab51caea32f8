import { describe, expect, it } from "vitest";
import type { MemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { runScenario } from "../testing/run-scenario.js";
import { baseScenario } from "../testing/test-scenarios.js";

const PATH = "devops/status/deploy-result.json";
const textOf = (store: unknown) => (store as MemoryArtifactStore).files.get(PATH)!;

describe("deploy-result.json", () => {
  it("is indented JSON, with each step's histogram bounds on one line and one line per poll", async () => {
    const r = await runScenario(baseScenario({ judge: "statistical" }));
    const text = textOf(r.artifacts);
    const file = JSON.parse(text);
    const step = file.releases[0].steps[0];
    const bounds = step.latency_bounds_ms as (number | string)[];
    expect(bounds.length).toBeGreaterThan(100);
    expect(bounds.at(-1)).toBe("+Inf");
    const lines = text.split("\n");
    const boundLines = lines.filter((l) => l.includes('"latency_bounds_ms"'));
    expect(boundLines).toHaveLength(file.releases[0].steps.length);
    expect(boundLines[0]).toBe(
      `          "latency_bounds_ms": [${bounds.map((b) => JSON.stringify(b)).join(", ")}],`,
    );
    const polls = step.observations as { at: string }[];
    expect(polls.length).toBeGreaterThan(1);
    const first = lines.indexOf('          "observations": [');
    expect(lines.slice(first + 1, first + 1 + polls.length)).toEqual(
      polls.map((p, i) => `            ${JSON.stringify(p)}${i < polls.length - 1 ? "," : ""}`),
    );
    expect(lines[first + 1 + polls.length]).toBe("          ]");
    // The rest is what JSON.stringify(…, null, 2) writes.
    const withoutSeries = (f: typeof file) => ({
      ...f,
      releases: f.releases.map((r: { steps: object[] }) => ({
        ...r,
        steps: r.steps.map((s) => ({ ...s, latency_bounds_ms: [], observations: [] })),
      })),
    });
    const seriesFree = text
      .replace(/"latency_bounds_ms": \[[^\]]*\]/g, '"latency_bounds_ms": []')
      .replace(/"observations": \[\n[^\]]*?\n *\]/g, '"observations": []');
    expect(seriesFree).toBe(`${JSON.stringify(withoutSeries(file), null, 2)}\n`);
  });

  it("keeps an earlier release's steps, text and all, when the next release appends its own", async () => {
    const first = await runScenario(baseScenario({ judge: "statistical" }));
    const before = textOf(first.artifacts);
    const second = await runScenario(
      baseScenario({ judge: "statistical", release: { version: "v1.5.0" } }),
      { artifacts: first.artifacts },
    );
    const after = textOf(second.artifacts);
    const file = JSON.parse(after);
    expect(file.releases.map((r: { version: string }) => r.version)).toEqual(["v1.4.0", "v1.5.0"]);
    expect(file.releases[0]).toEqual(JSON.parse(before).releases[0]);
    // The first release's entry is written exactly as it was.
    const firstEntry = before.slice(before.indexOf("    {"), before.lastIndexOf("    }") + 5);
    expect(after).toContain(firstEntry);
  });
});
