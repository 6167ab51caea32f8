import { type ReleaseScenarioFacts, releaseScenarioFacts } from "./release-scenario.js";

/**
 * The facts of a release scenario over made-up shas (`a…` the previous tag and red commit,
 * `b…` the green head, `c…` the pending commit off the branch), for the kit's own tests of
 * the checks it registers.
 */
export const sampleReleaseScenario: ReleaseScenarioFacts = releaseScenarioFacts({
  releaseBranch: "main",
  previous: "a".repeat(40),
  toSha: "b".repeat(40),
  offBranchSha: "c".repeat(40),
  greenSha: "b".repeat(40),
  redSha: "a".repeat(40),
  pendingSha: "c".repeat(40),
});
