import { afterEach, describe, expect, it } from "vitest";
import { createLiveView } from "./live-view.js";
import type { ReleaseReporter } from "./reporter.js";
import { eventAt, fakeTerminal, lastFrame, threeStepPlan } from "./testing/fake-terminal.js";

const terminal = () => fakeTerminal(140);

const ev = eventAt;

describe("live view of a release with waves", () => {
  let view: ReleaseReporter | null = null;
  afterEach(() => view?.dispose());

  it("shows a row per environment with its own step, and each wave as a gate", () => {
    const t = terminal();
    view = createLiveView(t.io, t.mode, {
      throttleMs: 0,
      plan: threeStepPlan({ stabilization: true, waves: [["staging"], ["prod-us", "prod-eu"]] }),
    });
    view.onEvent(ev({ type: "wave.started", wave: 1, of: 2, environments: ["staging"] }));
    view.onEvent(ev({ type: "environment.started", environment: "staging", wave: 1 }));
    view.onEvent(
      ev({ type: "environment.finished", environment: "staging", wave: 1, state: "promoted" }),
    );
    view.onEvent(
      ev({ type: "wave.finished", wave: 1, of: 2, result: "promoted", environments: ["staging"] }),
    );
    view.onEvent(
      ev({ type: "wave.started", wave: 2, of: 2, environments: ["prod-us", "prod-eu"] }),
    );
    for (const env of ["prod-us", "prod-eu"]) {
      view.onEvent(ev({ type: "environment.started", environment: env, wave: 2 }));
      view.onEvent(
        ev({
          type: "canary.step.started",
          weight: 25,
          index: 1,
          of: 3,
          windowMs: 600_000,
          environment: env,
        }),
      );
    }
    view.onEvent(
      ev({
        type: "canary.poll",
        environment: "prod-eu",
        phase: "canary",
        weight: 25,
        poll: 3,
        elapsedMs: 180_000,
        windowMs: 600_000,
        errorRate: 0.031,
        p95LatencyMs: 240,
        sampleCount: 1000,
        errorRateMax: 0.01,
        p95LatencyMsMax: 300,
        verdict: "breach",
        detail: "error rate over the objective",
      }),
    );
    const frame = lastFrame(t.text());
    expect(frame).toMatch(/✔ wave 1\/2 +staging: promoted/);
    expect(frame).toMatch(/wave 2\/2 +prod-us, prod-eu/);
    expect(frame).toMatch(/✔ w1 staging +promoted/);
    expect(frame).toMatch(/w2 prod-eu +25% .* 3m00s\/10m00s +err 3\.10% +p95 240 ms +breach/);
    expect(frame).toMatch(/w2 prod-us +25% /);
    // No single-environment step list.
    expect(frame).not.toMatch(/^\s+· +5% +pending/m);
  });
});
