import type { ReleaseOutcome } from "@shipgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { stripAnsi, visibleLength } from "./ansi.js";
import { createLiveView } from "./live-view.js";
import type { ReleaseReporter } from "./reporter.js";
import {
  CURSOR_UP,
  eventAt,
  fakeTerminal,
  lastFrame,
  threeStepPlan,
} from "./testing/fake-terminal.js";

const terminal = () => fakeTerminal(100);

const at = "2026-01-05T10:00:00.000Z";
const ev = eventAt;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("live view", () => {
  let view: ReleaseReporter | null = null;
  afterEach(() => view?.dispose());

  it("draws gates and each step's weight, window and readings against the objective, in place", async () => {
    const t = terminal();
    view = createLiveView(t.io, t.mode, {
      throttleMs: 0,
      plan: threeStepPlan(),
    });
    view.onEvent(
      ev({
        type: "release.started",
        service: "checkout",
        version: "v1.4.0",
        environment: "production",
        sha: "3f2a1b9".padEnd(40, "0"),
        dryRun: false,
      }),
    );
    view.onEvent(ev({ type: "lock.acquired", ref: "devops/status/release-checkout.lock" }));
    view.onEvent(ev({ type: "validate.passed", tag: "new" }));
    view.onEvent(ev({ type: "ci.passed", checks: 4, ignored: [] }));
    view.onEvent(
      ev({ type: "canary.step.started", weight: 5, index: 0, of: 3, windowMs: 600_000 }),
    );
    view.onEvent(
      ev({ type: "canary.step.passed", weight: 5, errorRate: 0.002, p95LatencyMs: 180 }),
    );
    view.onEvent(
      ev({ type: "canary.step.started", weight: 25, index: 1, of: 3, windowMs: 600_000 }),
    );
    view.onEvent(
      ev({
        type: "canary.poll",
        weight: 25,
        poll: 4,
        elapsedMs: 240_000,
        windowMs: 600_000,
        errorRate: 0.034,
        p95LatencyMs: 212,
        sampleCount: 900,
        errorRateMax: 0.01,
        p95LatencyMsMax: 300,
        verdict: "breach",
        detail: "",
        stepRequests: 1800,
        errorRateRatio: 17,
        p95Ratio: 1.2,
      }),
    );
    await sleep(5);
    const raw = t.text();
    expect(raw.startsWith("\x1b[?25l")).toBe(true); // cursor hidden while drawing
    expect(raw).toMatch(CURSOR_UP); // redrawn in place, not appended
    const frame = lastFrame(raw);
    expect(frame).toContain("shipgate checkout v1.4.0 → production");
    expect(frame).toContain("CI gate    4 checks green");
    expect(frame).toContain("objective: error rate ≤ 1.00%, p95 ≤ 300 ms, window 10m00s");
    expect(frame).toMatch(/✔\s+5%\s+█+\s+10m00s\/10m00s\s+err 0\.20%\s+p95 180 ms\s+passed/);
    // With what the judge weighs: canary ÷ stable, and the canary requests in the step.
    expect(frame).toMatch(
      /25%\s+[█░]+\s+4m00s\/10m00s\s+err 3\.40% ×17\.0\s+p95 212 ms ×1\.2\s+n 1,800\s+breach/,
    );
    expect(frame).toMatch(/·\s+100%\s+pending/);
  });

  it("prints the summary below the last frame and restores the cursor", () => {
    const t = terminal();
    view = createLiveView(t.io, t.mode, { throttleMs: 0 });
    const outcome = {
      status: "ABORTED",
      reason: "slo_breach",
      exitCode: 3,
      summary: "error rate 3.40% > 1.00% at 25%",
      version: "v1.4.0",
      service: "checkout",
      dryRun: false,
      maxWeightReached: 25,
      rolledBack: true,
      rollbackVerified: true,
      paths: {
        report: "devops/reports/release-v1.4.0.md",
        incident: "incidents/INC-2026-01-05-01.md",
        all: [],
      },
      warnings: [],
      startedAt: at,
      endedAt: at,
    } as ReleaseOutcome;
    view.onEvent(
      ev({
        type: "rollback.finished",
        verified: true,
        message: "stable version v1.3.0 is serving",
      }),
    );
    view.finish(outcome, { artifactsRoot: "/repo" });
    view.dispose();
    const raw = t.text();
    expect(raw.endsWith("\x1b[?25h")).toBe(true);
    const plain = stripAnsi(raw);
    expect(plain).toContain("✔ rollback   stable version v1.3.0 is serving");
    expect(plain).toContain("ABORTED: error rate 3.40% > 1.00% at 25% (exit 3)");
    expect(plain).toContain("incident:  incidents/INC-2026-01-05-01.md");
  });

  it("throttles redraws", async () => {
    const t = terminal();
    view = createLiveView(t.io, t.mode, { throttleMs: 200 });
    for (let i = 0; i < 50; i++)
      view.onEvent(ev({ type: "ci.waiting", pending: ["build"], waitedMs: i * 1000 }));
    await sleep(20);
    const frames = t.text().split(CURSOR_UP).length;
    expect(frames).toBeLessThanOrEqual(2);
  });

  it("cuts long lines to the terminal width so a redraw never wraps", async () => {
    const t = terminal();
    t.io.stdout.columns = 40;
    view = createLiveView(t.io, t.mode, { throttleMs: 0 });
    view.onEvent(ev({ type: "warning", message: "x".repeat(200) }));
    await sleep(5);
    for (const line of lastFrame(t.text()).split("\n"))
      expect(visibleLength(line)).toBeLessThanOrEqual(39);
  });
});

describe("live view at the end of a successful release", () => {
  it("shows the stabilization window as passed, not cancelled", () => {
    const t = terminal();
    const view = createLiveView(t.io, t.mode, {
      throttleMs: 0,
      plan: {
        canarySteps: [100],
        errorRateMax: 0.01,
        p95LatencyMs: 300,
        windowMs: 60_000,
        stabilization: true,
      },
    });
    view.onEvent(
      ev({ type: "canary.step.started", weight: 100, index: 0, of: 1, windowMs: 60_000 }),
    );
    view.onEvent(
      ev({ type: "canary.step.passed", weight: 100, errorRate: 0.001, p95LatencyMs: 100 }),
    );
    view.onEvent(ev({ type: "stabilization.started", windowMs: 60_000 }));
    const outcome = {
      status: "SUCCESS",
      reason: "released",
      exitCode: 0,
      summary: "checkout v1.4.0 is live in production",
      version: "v1.4.0",
      service: "checkout",
      dryRun: false,
      maxWeightReached: 100,
      rolledBack: false,
      rollbackVerified: null,
      paths: { report: null, incident: null, all: [] },
      warnings: [],
      startedAt: at,
      endedAt: at,
    } as ReleaseOutcome;
    view.finish(outcome, { artifactsRoot: "/repo" });
    view.dispose();
    const frame = lastFrame(t.text());
    expect(frame).toMatch(/✔ stabilize\s+█{10}\s+1m00s\/1m00s.*passed/);
    expect(frame).not.toContain("cancelled");
  });
});
