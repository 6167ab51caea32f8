import type { Clock } from "../../contracts/clock.js";
import type { Deployer } from "../../contracts/deployer.js";

/** One change of the canary's share of traffic, as the deployer applied it. */
export interface WeightChange {
  atMs: number;
  /** The canary version's share after the change, 0–100 (100 after promotion). */
  canaryPercent: number;
  action: "start" | "set_weight" | "promote" | "abort" | "rollback";
}

/** The canary's share of traffic over (virtual) time. */
export interface WeightTimeline {
  readonly changes: readonly WeightChange[];
  /** The canary's share at an instant: the last change at or before it (0 before any). */
  canaryPercentAt(ms: number): number;
  /** When the first canary weight was set (the start of exposure), or null. */
  firstWeightSetAtMs(): number | null;
  /** When the canary first carried at least `percent`, or null. */
  firstAtOrAboveMs(percent: number): number | null;
  /** When the weight `percent` was first set by `setWeight`, or null. */
  weightSetAtMs(percent: number): number | null;
  /**
   * The minutes of full traffic the canary served between two instants: ∫ share/100 dt, as
   * an incident's `impact.fullTrafficMinutes` counts them (10 minutes at 5% is 0.5).
   */
  fullTrafficMinutes(fromMs: number, toMs: number): number;
}

/**
 * Wraps a deployer so that every applied weight change is recorded with the clock's time:
 * the simulated traffic then follows the weight the release actually set, and the
 * benchmark can read when exposure started and when the rollback came.
 *
 * @example
 * ```ts
 * const { deployer, timeline } = recordWeightTimeline(createSimulatedDeployer({ stableVersion: "v1.3.0" }), clock);
 * await runScenario(scenario, { clock, overrides: { deployer } });
 * timeline.firstWeightSetAtMs();
 * ```
 */
export function recordWeightTimeline(
  inner: Deployer,
  clock: Clock,
): { deployer: Deployer; timeline: WeightTimeline } {
  const changes: WeightChange[] = [];
  const record = (action: WeightChange["action"], canaryPercent: number) => () => {
    changes.push({ atMs: clock.now(), canaryPercent, action });
  };
  const deployer: Deployer = {
    name: inner.name,
    preflight: (target, options) => inner.preflight(target, options),
    start: (target, options) => inner.start(target, options).map(record("start", 0)),
    setWeight: (target, weight, options) =>
      inner.setWeight(target, weight, options).map(record("set_weight", weight)),
    status: (target, options) => inner.status(target, options),
    promote: (target, options) => inner.promote(target, options).map(record("promote", 100)),
    abort: (target, options) => inner.abort(target, options).map(record("abort", 0)),
    rollback: (target, options) => inner.rollback(target, options).map(record("rollback", 0)),
    verifyStable: (target, options) => inner.verifyStable(target, options),
  };
  const timeline: WeightTimeline = {
    changes,
    canaryPercentAt(ms) {
      for (let i = changes.length - 1; i >= 0; i--) {
        if (changes[i]!.atMs <= ms) return changes[i]!.canaryPercent;
      }
      return 0;
    },
    firstWeightSetAtMs() {
      return changes.find((c) => c.action === "set_weight")?.atMs ?? null;
    },
    firstAtOrAboveMs(percent) {
      return changes.find((c) => c.canaryPercent >= percent)?.atMs ?? null;
    },
    weightSetAtMs(percent) {
      return (
        changes.find((c) => c.action === "set_weight" && c.canaryPercent === percent)?.atMs ?? null
      );
    },
    fullTrafficMinutes(fromMs, toMs) {
      let percentMs = 0;
      let at = fromMs;
      let share = timeline.canaryPercentAt(fromMs);
      for (const c of changes) {
        if (c.atMs <= fromMs) continue;
        if (c.atMs >= toMs) break;
        percentMs += share * (c.atMs - at);
        at = c.atMs;
        share = c.canaryPercent;
      }
      if (toMs > at) percentMs += share * (toMs - at);
      return percentMs / 100 / 60_000;
    },
  };
  return { deployer, timeline };
}
