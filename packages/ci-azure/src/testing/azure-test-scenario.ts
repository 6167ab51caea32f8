import {
  type CiReleaseScenarioFacts,
  releaseScenarioFacts,
  type SeededProviderPerTestOptions,
  seededProvider,
  seededProviderPerTest,
} from "@shipgate/core/testing";
import {
  type CreateAzureDevOpsProviderOptions,
  createAzureDevOpsProvider,
} from "../azure-provider.js";
import { type AzureDevOpsEmulator, startAzureDevOpsEmulator } from "./azure-emulator.js";

/** The facts of {@link seedAzureReleaseScenario}, for assertions. */
export interface AzureReleaseScenario extends CiReleaseScenarioFacts {
  /** A lightweight tag. */
  lightweightTag: { name: string; sha: string };
}

/** Call options whose signal never fires, for calls a test lets run to the end. */
export function live(): { signal: AbortSignal } {
  return { signal: new AbortController().signal };
}

/**
 * Seeds an emulator with a small release: one pull request before the previous tag, three
 * after it (merge, squash, merge), one into another branch, an unmerged branch, builds and
 * statuses for green/red/pending commits with branch policies, and a production approval.
 */
export function seedAzureReleaseScenario(az: AzureDevOpsEmulator): AzureReleaseScenario {
  const releaseBranch = "main";
  az.commit({ branch: releaseBranch, comment: "Initial commit" });
  az.pullRequest({
    title: "chore: set up pipelines",
    author: "erin@example.com",
    approvers: ["bob@example.com"],
    files: ["azure-pipelines.yml"],
  });
  const previous = az.branchHead(releaseBranch)!;
  az.tag("v1.0.0", previous, "Release v1.0.0");
  az.tag("v1.0.0-light", previous);
  // A longer tag name sharing the prefix: Refs - List filters by prefix.
  az.tag("v1.0.0.1", previous, "hotfix");

  az.pullRequest({
    title: "feat(api): add bulk export endpoint",
    author: "alice@example.com",
    approvers: ["bob@example.com", "carol@example.com"],
    // A reviewer who waited and a group vote are not approvals of a person.
    otherReviewers: [
      { uniqueName: "dave@example.com", vote: -5 },
      { uniqueName: "[shop]\\Shop Team", vote: 10, isContainer: true },
    ],
    labels: ["enhancement"],
    files: ["src/api/export.ts", "src/db/query.ts"],
  });
  az.pullRequest({
    title: "fix(cart)!: change total rounding",
    author: "carol@example.com",
    otherReviewers: [{ uniqueName: "alice@example.com", vote: 5 }],
    labels: ["bug", "breaking"],
    files: ["src/cart/total.ts"],
    squash: true,
  });
  az.pullRequest({ title: "docs: readme", author: "dave@example.com", files: ["README.md"] });

  az.commit({ branch: "develop", parents: [previous], comment: "develop base" });
  az.pullRequest({ title: "experiment", author: "frank@example.com", targetBranch: "develop" });

  const offBranchSha = az.commit({
    branch: "feature/never-merged",
    parents: [previous],
    comment: "wip",
  });
  const toSha = az.branchHead(releaseBranch)!;

  az.policy({ buildDefinition: "shop-ci", isBlocking: true });
  az.policy({ buildDefinition: "shop-nightly", isBlocking: false });
  az.policy({ statusName: "sonar", statusGenre: "quality", isBlocking: true });

  const greenSha = toSha;
  az.build({
    sha: greenSha,
    definition: "shop-ci",
    status: "completed",
    result: "succeeded",
    stages: [
      { name: "Build" },
      {
        name: "production",
        approval: {
          status: "approved",
          steps: [
            { approver: "olivia@example.com", status: "approved", comment: "LGTM" },
            { approver: "mallory@example.com", status: "rejected" },
            { approver: "trent@example.com", status: "approved" },
          ],
        },
      },
      {
        name: "staging",
        approval: {
          status: "approved",
          steps: [{ approver: "sam@example.com", status: "approved" }],
        },
      },
    ],
  });
  az.build({ sha: greenSha, definition: "shop-nightly", status: "completed", result: "succeeded" });
  az.status({ sha: greenSha, name: "sonar", genre: "quality", state: "succeeded" });

  const redSha = previous;
  az.build({ sha: redSha, definition: "shop-ci", status: "completed", result: "failed" });

  const pendingSha = offBranchSha;
  az.build({
    sha: pendingSha,
    definition: "shop-ci",
    status: "inProgress",
    branch: "feature/never-merged",
  });
  az.status({ sha: pendingSha, name: "sonar", genre: "quality", state: "pending" });

  return releaseScenarioFacts({
    releaseBranch,
    previous,
    toSha,
    offBranchSha,
    greenSha,
    redSha,
    pendingSha,
  });
}

/**
 * The options that reach `az` (its organization URL, project and token); `extra` adds to
 * or replaces them.
 */
export function azureProviderOptions(
  az: AzureDevOpsEmulator,
  extra: Partial<CreateAzureDevOpsProviderOptions> = {},
): CreateAzureDevOpsProviderOptions {
  return { orgUrl: az.orgUrl, project: az.project, token: az.token, ...extra };
}

/**
 * Seeds `az` with {@link seedAzureReleaseScenario} and creates a provider over it; `extra`
 * (given the scenario) adds to or replaces the options.
 */
export function seededAzureProvider(
  az: AzureDevOpsEmulator,
  extra:
    | Partial<CreateAzureDevOpsProviderOptions>
    | ((s: AzureReleaseScenario) => Partial<CreateAzureDevOpsProviderOptions>) = {},
) {
  return seededProvider(
    () => seedAzureReleaseScenario(az),
    (o) => azureProviderOptions(az, o),
    createAzureDevOpsProvider,
    extra,
  );
}

/**
 * Gives each test of the calling file its own emulator, seeded with
 * {@link seedAzureReleaseScenario}, and a provider over it created with `defaults` and then the
 * test's own options (their `transport` settings merged); closed after the test. Call at the
 * top of a test file.
 */
export function seededAzureProviderPerTest(
  defaults: Partial<CreateAzureDevOpsProviderOptions> = {},
  options: SeededProviderPerTestOptions<
    AzureReleaseScenario,
    ReturnType<typeof createAzureDevOpsProvider>
  > = {},
) {
  return seededProviderPerTest(
    startAzureDevOpsEmulator,
    (az: AzureDevOpsEmulator, extra: Partial<CreateAzureDevOpsProviderOptions>) =>
      seededAzureProvider(az, {
        ...defaults,
        ...extra,
        transport: { ...defaults.transport, ...extra.transport },
      }),
    options,
  );
}
