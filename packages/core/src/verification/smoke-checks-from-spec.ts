import type { SmokeCheck } from "../contracts/smoke-check.js";
import type { SmokeCheckSpec } from "../model/release-spec.js";
import { type CommandSmokeCheckDeps, createCommandSmokeCheck } from "./command-smoke-check.js";
import { createHttpSmokeCheck, type HttpSmokeCheckDeps } from "./http-smoke-check.js";

/** Dependencies shared by the smoke checks {@link createSmokeChecks} builds; all optional. */
export type SmokeChecksDeps = HttpSmokeCheckDeps & CommandSmokeCheckDeps;

/**
 * The default {@link SmokeCheck}s for the `smoke_checks` of a release spec, in order:
 * `type: "http"` becomes {@link createHttpSmokeCheck}, `type: "command"` becomes
 * {@link createCommandSmokeCheck}.
 *
 * @example
 * ```ts
 * const checks = createSmokeChecks(spec.smoke_checks, { clock });
 * for (const check of checks) await check.run(context, { signal });
 * ```
 */
export function createSmokeChecks(
  specs: readonly SmokeCheckSpec[],
  deps: SmokeChecksDeps = {},
): SmokeCheck[] {
  return specs.map((spec) =>
    spec.type === "http" ? createHttpSmokeCheck(spec, deps) : createCommandSmokeCheck(spec, deps),
  );
}
