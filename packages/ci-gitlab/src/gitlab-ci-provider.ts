import type { CiCheck, CiCheckConclusion, CiCheckStatus, CiProvider } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import { commitStatusListSchema, pipelineListSchema } from "./gitlab-schemas.js";

/**
 * Maps a GitLab pipeline or job status onto the check vocabulary.
 *
 * `manual` means the pipeline (or a job) waits for someone to press play: nothing more will
 * happen on its own, so it is reported as completed with `action_required` rather than as
 * forever queued. Unknown (future) statuses are reported as queued: not done, not failed.
 */
export function gitlabStatusToCheck(status: string): {
  status: CiCheckStatus;
  conclusion: CiCheckConclusion | null;
} {
  switch (status) {
    case "success":
      return { status: "completed", conclusion: "success" };
    case "failed":
      return { status: "completed", conclusion: "failure" };
    case "canceled":
    case "canceling":
      return { status: "completed", conclusion: "cancelled" };
    case "skipped":
      return { status: "completed", conclusion: "skipped" };
    case "manual":
      return { status: "completed", conclusion: "action_required" };
    case "running":
      return { status: "in_progress", conclusion: null };
    default:
      // created, waiting_for_resource, preparing, pending, scheduled, waiting_for_callback, …
      return { status: "queued", conclusion: null };
  }
}

const webUrl = (url: string | null | undefined): string | null =>
  url && /^https?:\/\//.test(url) ? url : null;

/**
 * A {@link CiProvider} reading GitLab's own signals for a commit:
 *
 * - every pipeline for the sha (`GET /projects/:id/pipelines?sha=`), one check per pipeline
 *   named `pipeline (<ref>)` so a newer pipeline on the same ref supersedes an older one;
 *   GitLab does not mark pipelines required, so `required` is left unset (core treats it as required);
 * - every commit status (`GET /projects/:id/repository/commits/:sha/statuses`), which covers
 *   the pipelines' jobs and external statuses; `allow_failure: true` → `required: false`.
 *
 * Both lists are read in full (pages of 100). A sha GitLab does not know yields `[]`.
 */
export function createGitLabCiProvider(client: GitLabClient): CiProvider {
  return {
    name: "gitlab",
    listChecks(sha, { signal }) {
      return client.call(signal, "listing GitLab pipelines and commit statuses", async () => {
        const request = `GET /projects/${client.project}/pipelines?sha=${sha}`;
        const pipelines = parseVendor(
          pipelineListSchema,
          await client.api.pipelines.all(client.project, { sha, perPage: 100 }),
          request,
        );
        const statuses = await listStatuses(client, sha);
        const checks: CiCheck[] = pipelines.map((pipeline) => {
          const mapped = gitlabStatusToCheck(pipeline.status);
          return {
            name: `pipeline (${pipeline.ref})`,
            ...mapped,
            url: webUrl(pipeline.web_url),
            startedAt: pipeline.created_at,
            completedAt: mapped.status === "completed" ? pipeline.updated_at : null,
          };
        });
        for (const status of statuses) {
          const mapped = gitlabStatusToCheck(status.status);
          checks.push({
            name: status.name,
            ...mapped,
            url: webUrl(status.target_url),
            startedAt: status.started_at ?? status.created_at,
            completedAt: mapped.status === "completed" ? status.finished_at : null,
            required: !status.allow_failure,
          });
        }
        return checks;
      });
    },
  };
}

async function listStatuses(client: GitLabClient, sha: string) {
  const request = `GET /projects/${client.project}/repository/commits/${sha}/statuses`;
  try {
    // `perPage` is a pagination option gitbeaker forwards; its type for this method omits it.
    const raw = await client.api.commits.allStatuses(client.project, sha, { perPage: 100 } as {
      all?: boolean;
    });
    return parseVendor(commitStatusListSchema, raw, request);
  } catch (thrown) {
    // GitLab answers `404 Commit Not Found` for a sha it has never seen: no checks, not an
    // error. A 404 for the project itself would already have failed the pipelines call.
    if (
      ShipgateError.isInstance(thrown) &&
      thrown.kind === "not_found" &&
      /commit/i.test(thrown.vendorMessage ?? "")
    ) {
      return [];
    }
    throw thrown;
  }
}
