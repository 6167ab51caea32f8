import { expect, it } from "vitest";
import type { CiCheck, CiProvider } from "../../contracts/ci-provider.js";
import type { CiReleaseScenarioFacts } from "../conformance/ci-stack-conformance.js";

/** A CI provider over an emulator freshly seeded with the CI release scenario. */
export interface SeededCiProvider {
  /** The facts of the seeded scenario (see `releaseScenarioFacts`). */
  s: CiReleaseScenarioFacts;
  provider: { ci: CiProvider };
}

/** The checks a CI adapter reports for the scenario's red and pending commits, in order. */
export interface ReleaseScenarioChecks {
  red: Partial<CiCheck>[];
  pending: Partial<CiCheck>[];
}

/**
 * Registers the tests every CI adapter's checks pass against the release scenario its
 * emulator seeds: the red commit's checks and the pending commit's are `expected` (each
 * check matching the fields given, in order), and a sha the repository does not have has
 * none. `setup` seeds a fresh emulator for each test. Call inside a `describe`.
 *
 * @example
 * ```ts
 * itReportsReleaseScenarioChecks(setup, {
 *   red: [{ name: "unit", conclusion: "failure" }],
 *   pending: [{ name: "unit", status: "in_progress" }],
 * });
 * ```
 */
export function itReportsReleaseScenarioChecks(
  setup: () => Promise<SeededCiProvider>,
  expected: ReleaseScenarioChecks,
): void {
  const live = () => ({ signal: new AbortController().signal });

  it("reports the failures of the red commit", async () => {
    const { s, provider } = await setup();
    const checks = (await provider.ci.listChecks(s.redSha, live()))._unsafeUnwrap();
    expect(checks).toMatchObject(expected.red);
  });

  it("reports the running checks of the pending commit as not completed", async () => {
    const { s, provider } = await setup();
    const checks = (await provider.ci.listChecks(s.pendingSha, live()))._unsafeUnwrap();
    expect(checks).toMatchObject(expected.pending);
  });

  it("returns [] for a sha the repository does not have", async () => {
    const { s, provider } = await setup();
    expect((await provider.ci.listChecks(s.missingSha, live()))._unsafeUnwrap()).toEqual([]);
  });
}
