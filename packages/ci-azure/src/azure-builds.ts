import type { AzureClient } from "./azure-client.js";
import { parseVendor } from "./azure-client.js";
import { type AzureBuild, buildListSchema, commitSchema } from "./azure-schemas.js";

/** Location of `GET {project}/_apis/build/builds` (Builds - List). */
const BUILDS_LOCATION = "0cd358e1-9217-4d94-8269-1c1ee6f93dcf";

/**
 * Every build of `sha` in the repository, newest first. Builds - List cannot filter by source
 * version, so it is asked for the repository's builds queued since `since` (newest first,
 * pages of `pageSize` followed by `x-ms-continuationtoken`) and filtered here.
 */
export async function listBuildsForSha(
  client: AzureClient,
  repositoryId: string,
  sha: string,
  since: string | null,
  pageSize = 200,
): Promise<AzureBuild[]> {
  const api = await client.build();
  const found: AzureBuild[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await client.getPage(api, {
      area: "build",
      locationId: BUILDS_LOCATION,
      apiVersion: "7.1",
      routeValues: { project: client.project },
      query: {
        repositoryId,
        repositoryType: "TfsGit",
        queryOrder: "queueTimeDescending",
        $top: pageSize,
        ...(since ? { minTime: since } : {}),
        ...(continuationToken ? { continuationToken } : {}),
      },
    });
    if (page === null) return found;
    const builds = parseVendor(
      buildListSchema,
      page.value,
      `GET ${client.project}/_apis/build/builds`,
    );
    for (const build of builds)
      if (build.sourceVersion?.toLowerCase() === sha.toLowerCase()) found.push(build);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return found;
}

/**
 * The builds of a commit, or `exists: false` when the repository does not have it. The commit's
 * date (less `slackMs`, against clock skew) bounds how far back the build list is read.
 */
export async function buildsForCommit(
  client: AzureClient,
  sha: string,
  slackMs: number,
): Promise<{ exists: boolean; builds: AzureBuild[] }> {
  const repo = await client.repo();
  const git = await client.git();
  const raw = await client.send(() => git.getCommit(sha, repo.id, client.project));
  if (raw === null || raw === undefined) return { exists: false, builds: [] };
  const commit = parseVendor(commitSchema, raw, `GET git/repositories/${repo.name}/commits/${sha}`);
  const committed = commit.committer?.date ? Date.parse(commit.committer.date) : Number.NaN;
  const since = Number.isNaN(committed) ? null : new Date(committed - slackMs).toISOString();
  return { exists: true, builds: await listBuildsForSha(client, repo.id, sha, since) };
}
