import type { CiCheck, CiCheckConclusion, CiCheckStatus, CiProvider } from "@shipgate/core";
import { buildsForCommit } from "./azure-builds.js";
import { type AzureClient, type AzureRepositoryInfo, parseVendor } from "./azure-client.js";
import {
  type AzureBuild,
  type AzureGitStatus,
  type AzurePolicy,
  policyListSchema,
  statusListSchema,
} from "./azure-schemas.js";

/** Options of {@link createAzureCiProvider}. */
export interface AzureCiProviderOptions {
  releaseBranch: string;
  /** Builds queued this long before the commit's date still count (clock skew). Default 1 day. */
  buildSlackMs?: number;
}

type Mapped = { status: CiCheckStatus; conclusion: CiCheckConclusion | null };

/**
 * Maps a build's status and result. `partiallySucceeded` (a task failed with
 * continueOnError) is a failure: the build did not do everything it was asked to.
 */
export function azureBuildToCheck(status: string, result: string | null | undefined): Mapped {
  switch (status) {
    case "completed":
      switch (result) {
        case "succeeded":
          return { status: "completed", conclusion: "success" };
        case "failed":
        case "partiallySucceeded":
          return { status: "completed", conclusion: "failure" };
        case "canceled":
          return { status: "completed", conclusion: "cancelled" };
        default:
          // Completed without a result: nothing says it passed.
          return { status: "completed", conclusion: "stale" };
      }
    case "inProgress":
    case "cancelling":
      return { status: "in_progress", conclusion: null };
    default:
      // notStarted, postponed, none
      return { status: "queued", conclusion: null };
  }
}

/** Maps a Git commit status state (`pending` is Azure's word for running). */
export function azureStatusToCheck(state: string): Mapped {
  switch (state) {
    case "succeeded":
      return { status: "completed", conclusion: "success" };
    case "failed":
    case "error":
    case "partiallySucceeded":
      return { status: "completed", conclusion: "failure" };
    case "notApplicable":
      return { status: "completed", conclusion: "skipped" };
    case "pending":
      return { status: "in_progress", conclusion: null };
    default:
      return { status: "queued", conclusion: null };
  }
}

/** Does a policy's scope cover the release branch of this repository? */
export function policyApplies(
  policy: AzurePolicy,
  repo: AzureRepositoryInfo,
  branchRef: string,
): boolean {
  if (!policy.isEnabled || policy.isDeleted) return false;
  const scopes = policy.settings.scope ?? [{}];
  return scopes.some((scope) => {
    if (scope.repositoryId && scope.repositoryId.toLowerCase() !== repo.id.toLowerCase())
      return false;
    const kind = (scope.matchKind ?? "exact").toLowerCase();
    if (kind === "defaultbranch")
      return repo.defaultBranch?.toLowerCase() === branchRef.toLowerCase();
    if (!scope.refName) return true;
    const ref = scope.refName.toLowerCase();
    return kind === "prefix"
      ? branchRef.toLowerCase().startsWith(ref)
      : branchRef.toLowerCase() === ref;
  });
}

/** Whether the release branch's policies make a check required: true, false, or unknown. */
function requiredBy(
  policies: AzurePolicy[],
  matches: (policy: AzurePolicy) => boolean,
): boolean | undefined {
  const relevant = policies.filter(matches);
  if (relevant.length === 0) return undefined;
  return relevant.some((p) => p.isBlocking);
}

const STATUSES_LOCATION = "428dd4fb-fda5-4722-af02-9313b80305da";
const POLICIES_LOCATION = "dad91cbe-d183-45f8-9c6e-9c1164472121";

/**
 * A {@link CiProvider} reading Azure DevOps' own signals for a commit:
 *
 * - the builds of the sha (Builds - List for the repository, newest first, since the commit's
 *   date, followed by continuation tokens, filtered on `sourceVersion`), one check per build
 *   named `build: <definition>`;
 * - the Git commit statuses (Statuses - List, latest per context, `$top`/`$skip` pages),
 *   named `<genre>/<name>`;
 * - `required` from the release branch's policies (Configurations - List): a build validation
 *   policy for the build's definition, or a status policy for the status's genre/name, that is
 *   blocking → required, optional → not required; no policy → unset (core treats it as required).
 *
 * A sha the repository does not have yields `[]`.
 */
export function createAzureCiProvider(
  client: AzureClient,
  options: AzureCiProviderOptions,
): CiProvider {
  const branchRef = `refs/heads/${options.releaseBranch}`;
  const slack = options.buildSlackMs ?? 86_400_000;
  return {
    name: "azure-devops",
    listChecks(sha, { signal }) {
      return client.call(signal, "listing Azure DevOps builds and statuses", async () => {
        const repo = await client.repo();
        const commit = await buildsForCommit(client, sha, slack);
        if (!commit.exists) return [];
        const [statuses, policies] = await Promise.all([
          listStatuses(client, repo, sha),
          listPolicies(client),
        ]);
        const builds = commit.builds;
        const applicable = policies.filter((p) => policyApplies(p, repo, branchRef));
        return [
          ...builds.map((build) => buildCheck(build, applicable)),
          ...statuses.map((status) => statusCheck(status, applicable)),
        ];
      });
    },
  };
}

function buildCheck(build: AzureBuild, policies: AzurePolicy[]): CiCheck {
  const mapped = azureBuildToCheck(build.status, build.result);
  const required = requiredBy(
    policies,
    (p) => p.settings.buildDefinitionId === build.definition.id,
  );
  const url = build._links?.web?.href ?? null;
  return {
    name: `build: ${build.definition.name}`,
    ...mapped,
    url: url && /^https?:\/\//.test(url) ? url : null,
    startedAt: build.startTime ?? build.queueTime,
    completedAt: mapped.status === "completed" ? build.finishTime : null,
    ...(required === undefined ? {} : { required }),
  };
}

function statusCheck(status: AzureGitStatus, policies: AzurePolicy[]): CiCheck {
  const mapped = azureStatusToCheck(status.state);
  const genre = status.context.genre ?? "";
  const required = requiredBy(
    policies,
    (p) =>
      typeof p.settings.statusName === "string" &&
      p.settings.statusName === status.context.name &&
      (p.settings.statusGenre ?? "") === genre,
  );
  const url = status.targetUrl ?? null;
  return {
    name: genre ? `${genre}/${status.context.name}` : status.context.name,
    ...mapped,
    url: url && /^https?:\/\//.test(url) ? url : null,
    startedAt: status.creationDate,
    completedAt: mapped.status === "completed" ? (status.updatedDate ?? status.creationDate) : null,
    ...(required === undefined ? {} : { required }),
  };
}

async function listStatuses(
  client: AzureClient,
  repo: AzureRepositoryInfo,
  sha: string,
  pageSize = 100,
) {
  const api = await client.git();
  const out: AzureGitStatus[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const page = await client.getPage(api, {
      area: "git",
      locationId: STATUSES_LOCATION,
      apiVersion: "7.1",
      routeValues: { project: client.project, repositoryId: repo.id, commitId: sha },
      query: { top: pageSize, skip, latestOnly: true },
    });
    if (page === null) return out;
    const statuses = parseVendor(
      statusListSchema,
      page.value,
      `GET git/repositories/${repo.name}/commits/${sha}/statuses`,
    );
    out.push(...statuses);
    if (statuses.length < pageSize) return out;
  }
}

async function listPolicies(client: AzureClient): Promise<AzurePolicy[]> {
  const api = await client.policy();
  const out: AzurePolicy[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.getPage(api, {
      area: "policy",
      locationId: POLICIES_LOCATION,
      apiVersion: "7.1",
      routeValues: { project: client.project },
      query: { $top: 100, ...(continuationToken ? { continuationToken } : {}) },
    });
    if (page === null) return out;
    out.push(
      ...parseVendor(
        policyListSchema,
        page.value,
        `GET ${client.project}/_apis/policy/configurations`,
      ),
    );
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
