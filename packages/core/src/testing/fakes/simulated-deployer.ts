import { okAsync } from "neverthrow";
import type { Clock } from "../../contracts/clock.js";
import type { Deployer, DeploymentStatus, PreflightReport } from "../../contracts/deployer.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";

/** How the simulated platform behaves. */
export interface SimulatedDeployerOptions {
  /** The version serving before the release. */
  stableVersion: string;
  /** Services that exist (default: any). */
  services?: string[];
  /** Rollback fails and the stable version does not come back. */
  rollbackFails?: boolean;
  /** Problems preflight reports (blocks the release). */
  preflightProblems?: string[];
  /** Setting this weight fails with `unavailable`. */
  failAtWeight?: number;
  /**
   * How long a rollback takes on `clock` (a real controller needs time to bring the old
   * revision back). Default 0: at once.
   */
  rollbackMs?: number;
  /** The clock a slow rollback waits on; needed with `rollbackMs`. */
  clock?: Clock;
}

/** The simulated deployer, with its state exposed for assertions and for the simulated SLO source. */
export interface SimulatedDeployer extends Deployer {
  readonly state: {
    stableVersion: string;
    canaryVersion: string | null;
    weight: number;
    phase: DeploymentStatus["phase"];
    /** Every weight set, in order. */
    history: number[];
    /** Increments whenever the weight changes: lets the SLO source count polls per step. */
    generation: number;
  };
}

/** A {@link Deployer} that moves traffic in memory, like a well-behaved controller. */
export function createSimulatedDeployer(options: SimulatedDeployerOptions): SimulatedDeployer {
  const state: SimulatedDeployer["state"] = {
    stableVersion: options.stableVersion,
    canaryVersion: null,
    weight: 0,
    phase: "healthy",
    history: [],
    generation: 0,
  };
  /** Applies a change as one new generation of the platform's state, unless `apply` returns an error. */
  const change = (signal: AbortSignal, apply: () => unknown) =>
    guarded<undefined>(signal, () => {
      const refused = apply();
      if (refused instanceof ShipgateError) return refused;
      state.generation += 1;
      return undefined;
    });
  const exists = (service: string) => !options.services || options.services.includes(service);
  const missing = (service: string) =>
    new ShipgateError("not_found", `no deployment for service ${service}`, { field: "service" });
  return {
    name: "simulated",
    state,
    preflight(target, { signal }) {
      return guarded<PreflightReport>(signal, () => {
        if (!exists(target.service))
          return {
            ok: false,
            problems: [`no deployment for service ${target.service}`],
            stableVersion: null,
            facts: {} as Record<string, string>,
          };
        const problems = [...(options.preflightProblems ?? [])];
        if (state.canaryVersion && state.phase !== "healthy")
          problems.push(`a rollout of ${state.canaryVersion} is in flight`);
        return {
          ok: problems.length === 0,
          problems,
          stableVersion: state.stableVersion,
          facts: { strategy: "canary", platform: "simulated" },
        };
      });
    },
    start(target, { signal }) {
      return change(signal, () => {
        if (!exists(target.service)) return missing(target.service);
        state.canaryVersion = target.version;
        state.weight = 0;
        state.phase = "progressing";
      });
    },
    setWeight(target, weight, { signal }) {
      return change(signal, () => {
        if (!exists(target.service)) return missing(target.service);
        if (weight === options.failAtWeight)
          return new ShipgateError(
            "unavailable",
            `simulated platform failed to set weight ${weight}%`,
            { retryable: false },
          );
        state.weight = weight;
        state.history.push(weight);
        state.phase = "paused";
      });
    },
    status(target, { signal }) {
      return guarded(signal, () => {
        if (!exists(target.service)) return missing(target.service);
        return {
          phase: state.phase,
          canaryWeight: state.weight,
          stableVersion: state.stableVersion,
          canaryVersion: state.canaryVersion,
          message: null,
        };
      });
    },
    promote(_target, { signal }) {
      return change(signal, () => {
        if (!state.canaryVersion)
          return new ShipgateError("precondition_failed", "nothing to promote");
        state.stableVersion = state.canaryVersion;
        state.canaryVersion = null;
        state.weight = 100;
        state.phase = "healthy";
      });
    },
    abort(_target, { signal }) {
      return change(signal, () => {
        state.weight = 0;
        state.phase = "aborted";
      });
    },
    rollback(target, { signal }) {
      const wait =
        options.clock && options.rollbackMs
          ? options.clock.sleep(options.rollbackMs, signal)
          : okAsync(undefined);
      return wait.andThen(() =>
        change(signal, () => {
          if (options.rollbackFails) {
            state.phase = "degraded";
            return new ShipgateError("unavailable", "simulated platform failed to roll back", {
              retryable: false,
            });
          }
          // After a promote the previous stable is gone from our state; a real controller undoes to the last revision.
          if (state.canaryVersion === null && state.stableVersion === target.version)
            state.stableVersion = options.stableVersion;
          state.canaryVersion = null;
          state.weight = 0;
          state.phase = "healthy";
        }),
      );
    },
    verifyStable(target, { signal }) {
      return guarded(signal, () => {
        const serving =
          state.phase === "healthy" &&
          state.weight === 0 &&
          state.canaryVersion === null &&
          state.stableVersion !== target.version;
        return {
          serving,
          stableVersion: state.stableVersion,
          message: serving
            ? `${state.stableVersion} serves 100%`
            : `phase ${state.phase}, canary weight ${state.weight}%`,
        };
      });
    },
  };
}
