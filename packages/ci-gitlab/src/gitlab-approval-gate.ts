import type { ApprovalGate, SignOff } from "@shipgate/core";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import { deploymentListSchema, deploymentSchema } from "./gitlab-schemas.js";

/** Options of {@link createGitLabApprovalGate}. */
export interface GitLabApprovalGateOptions {
  /** shipgate environment → GitLab environment name, where they differ. */
  environments?: Record<string, string>;
  /** How many of the environment's most recent deployments to search for the sha (pages of 100). Default 300. */
  searchDeployments?: number;
}

/**
 * An {@link ApprovalGate} reading GitLab **deployment approvals** of protected environments.
 *
 * Why deployment approvals, not merge request approvals: a release sign-off is "this sha may
 * go to production", given per environment by the people GitLab lets approve deployments
 * there; merge request approvals are code review, and already appear as `reviewers` in the
 * changelog. The pipeline's deploy job for the sha creates a (blocked) deployment; approvers
 * approve it in GitLab (UI or `POST /deployments/:id/approval`).
 *
 * Reads `GET /projects/:id/deployments?environment=…&order_by=id&sort=desc` (most recent
 * first, bounded), then `GET /projects/:id/deployments/:id` for each deployment of the sha —
 * only the single-deployment answer carries `approvals`. Only `approved` entries are
 * sign-offs; a rejection is not one (core sees who has signed, not who refused).
 */
export function createGitLabApprovalGate(
  client: GitLabClient,
  options: GitLabApprovalGateOptions = {},
): ApprovalGate {
  const pages = Math.max(1, Math.ceil((options.searchDeployments ?? 300) / 100));
  return {
    name: "gitlab",
    listSignOffs(request, { signal }) {
      return client.call(signal, "reading GitLab deployment approvals", async () => {
        const environment = options.environments?.[request.environment] ?? request.environment;
        const raw = await client.api.deployments.all(client.project, {
          environment,
          orderBy: "id",
          sort: "desc",
          perPage: 100,
          maxPages: pages,
        });
        const deployments = parseVendor(
          deploymentListSchema,
          raw,
          `GET /projects/${client.project}/deployments`,
        );
        const sha = request.sha.toLowerCase();
        const signOffs: SignOff[] = [];
        const seen = new Set<string>();
        for (const listed of deployments.filter((d) => d.sha.toLowerCase() === sha)) {
          const deployment = parseVendor(
            deploymentSchema,
            await client.api.deployments.show(client.project, listed.id),
            `GET /projects/${client.project}/deployments/${listed.id}`,
          );
          const where =
            deployment.deployable?.web_url ??
            `${(await client.projectInfo()).webUrl}/-/environments/${deployment.environment.id}`;
          for (const approval of deployment.approvals ?? []) {
            if (approval.status !== "approved") continue;
            const key = `${approval.user.username}@${approval.created_at}`;
            if (seen.has(key)) continue;
            seen.add(key);
            signOffs.push({
              approver: approval.user.username,
              signedAt: approval.created_at,
              where,
              ...(approval.comment ? { comment: approval.comment } : {}),
            });
          }
        }
        return signOffs.sort((a, b) => Date.parse(a.signedAt) - Date.parse(b.signedAt));
      });
    },
  };
}
