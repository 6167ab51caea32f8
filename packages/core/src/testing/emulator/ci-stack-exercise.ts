import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../../errors/shipgate-error.js";
import type {
  CiReleaseScenarioFacts,
  CiStackUnderTest,
} from "../conformance/ci-stack-conformance.js";
import { conformanceIncident } from "../conformance/fixtures.js";
import { expectOk, settle } from "../conformance/run-safely.js";

/** The four parts of a CI adapter that {@link exerciseCiStack} drives. */
export type ExercisedCiStack = Pick<
  CiStackUnderTest,
  "sourceControl" | "ci" | "approvals" | "incidents"
>;

/**
 * Makes every call of a CI adapter's four parts once against the release scenario its
 * emulator seeds, failing on the first error: the checks of the green commit, the head
 * commit, the previous tag `v1.0.0`, a new tag `v1.1.0`, the changes since `v1.0.0`, the
 * production sign-offs of the head, then an incident opened and resolved. What the emulator
 * recorded can then be held against the vendor's documented answers. `more` adds calls of
 * the test's own, made last, one after the other.
 *
 * @example
 * ```ts
 * beforeAll(async () => {
 *   gitlab = await startGitLabEmulator();
 *   const { s, provider } = seededGitLabProvider(gitlab);
 *   await exerciseCiStack(provider, s);
 * });
 * ```
 */
export async function exerciseCiStack(
  stack: ExercisedCiStack,
  s: CiReleaseScenarioFacts,
  more: ((options: { signal: AbortSignal }) => ResultAsync<unknown, ShipgateError>)[] = [],
): Promise<void> {
  const live = () => ({ signal: new AbortController().signal });
  const release = { service: "shop", environment: "production", version: "v1.1.0" };
  const calls: (() => ResultAsync<unknown, ShipgateError>)[] = [
    () => stack.ci.listChecks(s.greenSha, live()),
    () => stack.sourceControl.getCommit(s.toSha, live()),
    () => stack.sourceControl.getTag("v1.0.0", live()),
    () =>
      stack.sourceControl.createAnnotatedTag(
        { name: "v1.1.0", sha: s.toSha, message: "v1.1.0" },
        live(),
      ),
    () => stack.sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, live()),
    () => stack.approvals.listSignOffs({ ...release, sha: s.toSha }, live()),
    () => stack.incidents.open(conformanceIncident, live()),
  ];
  const resolveOpen = stack.incidents.resolveOpen?.bind(stack.incidents);
  if (resolveOpen) calls.push(() => resolveOpen(release, live()));
  for (const call of calls) expectOk(await settle(call));
  for (const call of more) expectOk(await settle(() => call(live())));
}
