import type { ApprovalGate } from "../../contracts/approval-gate.js";
import type { CiProvider } from "../../contracts/ci-provider.js";
import type { IncidentRef, IncidentSink } from "../../contracts/incident-sink.js";
import type { SourceControl } from "../../contracts/source-control.js";
import { describeApprovalGateConformance } from "./approval-gate-conformance.js";
import { describeCiProviderConformance } from "./ci-provider-conformance.js";
import type { ConformanceCleanup } from "./conformance-suite.js";
import { describeIncidentSinkConformance } from "./incident-sink-conformance.js";
import { describeSourceControlConformance } from "./source-control-conformance.js";

/**
 * The facts of a seeded release on a CI system's emulator (or sandbox): a previous tag,
 * pull requests after it, commits with green, red and pending checks.
 */
export interface CiReleaseScenarioFacts {
  releaseBranch: string;
  previousTag: { name: string; sha: string };
  /** The head of the release: on the release branch. */
  toSha: string;
  /** A commit on another branch, never merged. */
  offBranchSha: string;
  /** A well-formed sha that does not exist. */
  missingSha: string;
  /** Change numbers landed after the previous tag, oldest first. */
  expectedNumbers: number[];
  greenSha: string;
  redSha: string;
  pendingSha: string;
}

/** One fresh, seeded CI adapter stack: what {@link describeCiStackConformance} runs against. */
export interface CiStackUnderTest {
  sourceControl: SourceControl;
  ci: CiProvider;
  approvals: ApprovalGate;
  incidents: IncidentSink;
  scenario: CiReleaseScenarioFacts;
  /** Who signed off the production release of `scenario.toSha` (order does not matter). */
  expectedApprovers: string[];
  /** The text the backend stored for an incident. */
  readIncident: (ref: IncidentRef) => Promise<string | null>;
  /** Stops the emulator. */
  close: () => Promise<void>;
}

/** How each suite is titled, e.g. `{ sourceControl: "gitlab", approvals: "gitlab deployment approvals" }`. */
export interface CiStackSuiteNames {
  sourceControl: string;
  ci: string;
  approvals: string;
  incidents: string;
}

/**
 * Runs the SourceControl, CiProvider, ApprovalGate and IncidentSink conformance suites
 * against a CI adapter, each on its own fresh stack from `start`.
 *
 * @example
 * ```ts
 * describeCiStackConformance({ sourceControl: "gitlab", ci: "gitlab", approvals: "gitlab approvals", incidents: "gitlab issues" }, async () => {
 *   const gitlab = await startGitLabEmulator();
 *   const scenario = seedGitLabReleaseScenario(gitlab);
 *   return { ...createGitLabProvider({ … }), scenario, expectedApprovers: ["olivia"], readIncident, close: () => gitlab.close() };
 * });
 * ```
 */
export function describeCiStackConformance(
  names: CiStackSuiteNames,
  start: () => Promise<CiStackUnderTest>,
): void {
  /** Each suite's setup: a fresh stack from `start`, seen as the suite needs it, closed after. */
  const fresh =
    <Setup>(view: (stack: CiStackUnderTest) => Setup) =>
    async (): Promise<Setup & ConformanceCleanup> => {
      const stack = await start();
      return { ...view(stack), cleanup: stack.close };
    };

  describeSourceControlConformance(
    names.sourceControl,
    fresh(({ sourceControl, scenario }) => ({
      sourceControl,
      releaseBranch: scenario.releaseBranch,
      onBranchSha: scenario.toSha,
      offBranchSha: scenario.offBranchSha,
      missingSha: scenario.missingSha,
      existingTag: scenario.previousTag,
      missingTag: "v9.9.9",
      range: {
        fromTag: scenario.previousTag.name,
        toSha: scenario.toSha,
        expectedNumbers: scenario.expectedNumbers,
      },
    })),
  );

  describeCiProviderConformance(
    names.ci,
    fresh(({ ci, scenario }) => ({
      ci,
      greenSha: scenario.greenSha,
      redSha: scenario.redSha,
      unknownSha: scenario.missingSha,
      pendingSha: scenario.pendingSha,
    })),
  );

  describeApprovalGateConformance(
    names.approvals,
    fresh(({ approvals, scenario, expectedApprovers }) => ({
      gate: approvals,
      request: {
        service: "shop",
        environment: "production",
        version: "v1.1.0",
        sha: scenario.toSha,
      },
      expectedApprovers,
    })),
  );

  describeIncidentSinkConformance(
    names.incidents,
    fresh(({ incidents, readIncident }) => ({ sink: incidents, readBack: readIncident })),
  );
}
