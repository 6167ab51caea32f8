import { err, ok, type Result } from "neverthrow";
import { ShipgateError } from "../errors/shipgate-error.js";
import type { ReleaseSpec, WaveFailurePolicy } from "../model/release-spec.js";
import type { EnvironmentStack, ReleaseStack } from "../model/release-stack.js";

/** One environment of a wave plan, with what it talks to. */
export interface PlannedEnvironment {
  name: string;
  /** 0-based. */
  wave: number;
  stack: EnvironmentStack;
}

/** The waves of a release, resolved against the stack's environments. */
export interface WavePlan {
  waves: PlannedEnvironment[][];
  bakeMinutes: number;
  onWaveFailure: WaveFailurePolicy;
}

/**
 * Resolves `spec.waves` against `stack.environments`: every name must be configured. The
 * error names the field (`waves.1.0`) and the environments the stack knows. Defaults:
 * `bake_minutes` 0, `on_wave_failure` `rollback_all`.
 *
 * @example
 * ```ts
 * const plan = planWaves(spec, stack); // waves: [[staging], [prod-us, prod-eu]]
 * if (plan.isOk()) plan.value.waves[1].map((e) => e.name); // ["prod-us", "prod-eu"]
 * ```
 */
export function planWaves(
  spec: Pick<ReleaseSpec, "waves" | "bake_minutes" | "on_wave_failure">,
  stack: Pick<ReleaseStack, "environments">,
): Result<WavePlan, ShipgateError<"invalid_input">> {
  const waves = spec.waves ?? [];
  const known = Object.keys(stack.environments ?? {});
  const planned: PlannedEnvironment[][] = [];
  for (const [w, wave] of waves.entries()) {
    const row: PlannedEnvironment[] = [];
    for (const [i, name] of wave.entries()) {
      const environment = stack.environments?.[name];
      if (!environment)
        return err(
          new ShipgateError(
            "invalid_input",
            `waves.${w}.${i}: environment ${name} is not configured (${known.length ? `known: ${known.join(", ")}` : "no environments are configured"})`,
            {
              field: `waves.${w}.${i}`,
              hint: "Configure the environment (its deployer and SLO source) under `environments` in shipgate.yaml, or fix the name",
            },
          ),
        );
      row.push({ name, wave: w, stack: environment });
    }
    planned.push(row);
  }
  return ok({
    waves: planned,
    bakeMinutes: spec.bake_minutes ?? 0,
    onWaveFailure: spec.on_wave_failure ?? "rollback_all",
  });
}
