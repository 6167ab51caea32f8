import type { CallOptions, Deployer, DeployTarget, ShipgateError } from "@shipgate/core";
import type { Result } from "neverthrow";
import { expect } from "vitest";

/** The commit every test deployment ships. */
export const TEST_SHA = "0123456789abcdef0123456789abcdef01234567";

/** A production deployment of `service` at `version` (the test commit); `extra` adds fields. */
export function testDeployTarget(
  service: string,
  version: string,
  extra: Partial<DeployTarget> = {},
): DeployTarget {
  return { service, environment: "production", version, sha: TEST_SHA, ...extra };
}

/** Call options whose signal never fires. */
export function liveCall(): CallOptions {
  return { signal: new AbortController().signal };
}

/** Unwraps an ok Result, or fails with the error's own description. */
export function unwrapOk<T>(result: Result<T, ShipgateError>): T {
  if (result.isErr()) throw new Error(`${result.error.kind}: ${result.error.describe()}`);
  return result.value;
}

/**
 * The Argo Rollouts canary steps for weights 5, 25 and 100 as the deployers write them: a
 * pause first, then each weight followed by an indefinite pause (the deployer resumes it).
 */
export const ROLLOUT_STEPS_5_25_100 = [
  { pause: {} },
  { setWeight: 5 },
  { pause: {} },
  { setWeight: 25 },
  { pause: {} },
  { setWeight: 100 },
  { pause: {} },
] as const;

/**
 * The targets the deployer conformance suite drives: `shop` at v1.4.0 then v1.5.0, and a
 * service that does not exist. `target` builds each one (default {@link testDeployTarget}).
 */
export function conformanceTargets(
  target: (service: string, version: string) => DeployTarget = testDeployTarget,
): { target: DeployTarget; secondTarget: DeployTarget; missingTarget: DeployTarget } {
  return {
    target: target("shop", "v1.4.0"),
    secondTarget: target("shop", "v1.5.0"),
    missingTarget: target("ghost", "v1.0.0"),
  };
}

/** Expects `deployer` to verify `target` served by the stable version `stableVersion` alone. */
export async function expectServingStable(
  deployer: Pick<Deployer, "verifyStable">,
  target: DeployTarget,
  stableVersion: string,
): Promise<void> {
  expect((await deployer.verifyStable(target, liveCall()))._unsafeUnwrap()).toMatchObject({
    serving: true,
    stableVersion,
  });
}
