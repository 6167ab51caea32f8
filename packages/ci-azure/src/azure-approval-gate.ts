import type { ApprovalGate, SignOff } from "@shipgate/core";
import { buildsForCommit } from "./azure-builds.js";
import { type AzureClient, parseVendor } from "./azure-client.js";
import { approvalListSchema, identityLogin, timelineSchema } from "./azure-schemas.js";

/** Options of {@link createAzureApprovalGate}. */
export interface AzureApprovalGateOptions {
  /**
   * shipgate environment → the name (or identifier) of the pipeline stage that deploys to it,
   * where they differ. Without an entry, a stage named like the environment is used.
   */
  stages?: Record<string, string>;
  /** Builds queued this long before the commit's date still count. Default 1 day. */
  buildSlackMs?: number;
}

/**
 * An {@link ApprovalGate} reading **pipeline approvals** (Approvals and Checks,
 * `_apis/pipelines/approvals`): the approvals an environment's approval check asked for when a
 * run of the sha reached the stage deploying to that environment.
 *
 * Why these and not pull request votes: a release sign-off is per environment and per sha,
 * which is exactly what an environment approval check records; pull request approvals are
 * code review and already reported per change as `reviewers`.
 *
 * Reads: the sha's builds (Builds - List, as for the CI gate), each build's timeline
 * (`Checkpoint.Approval` records under the matching `Stage` record carry the approval ids),
 * then one Approvals - Query for those ids with `$expand=steps`. Only `approved` steps are
 * sign-offs; `where` is the run's web link.
 */
export function createAzureApprovalGate(
  client: AzureClient,
  options: AzureApprovalGateOptions = {},
): ApprovalGate {
  const slack = options.buildSlackMs ?? 86_400_000;
  return {
    name: "azure-devops",
    listSignOffs(request, { signal }) {
      return client.call(signal, "reading Azure Pipelines approvals", async () => {
        const stageName = (
          options.stages?.[request.environment] ?? request.environment
        ).toLowerCase();
        const { builds } = await buildsForCommit(client, request.sha, slack);
        if (builds.length === 0) return [];
        const buildApi = await client.build();
        const approvalRun = new Map<string, string>();
        for (const build of builds) {
          const raw = await client.send(() => buildApi.getBuildTimeline(client.project, build.id));
          if (raw === null || raw === undefined) continue;
          const { records } = parseVendor(
            timelineSchema,
            raw,
            `GET ${client.project}/_apis/build/builds/${build.id}/timeline`,
          );
          const byId = new Map(records.map((r) => [r.id, r]));
          const stageOf = (id: string | null | undefined) => {
            // Approval → Checkpoint → Stage; walk up until a Stage record.
            for (
              let record = id ? byId.get(id) : undefined;
              record;
              record = record.parentId ? byId.get(record.parentId) : undefined
            ) {
              if (record.type === "Stage") return record;
            }
            return undefined;
          };
          for (const record of records) {
            if (record.type !== "Checkpoint.Approval") continue;
            const stage = stageOf(record.parentId);
            const names = [stage?.name, stage?.identifier]
              .filter(Boolean)
              .map((n) => String(n).toLowerCase());
            if (names.includes(stageName))
              approvalRun.set(record.id, build._links?.web?.href ?? "");
          }
        }
        if (approvalRun.size === 0) return [];
        const ids = [...approvalRun.keys()].join(",");
        const raw = await client.getJson(
          buildApi,
          `${encodeURIComponent(client.project)}/_apis/pipelines/approvals?approvalIds=${encodeURIComponent(ids)}&$expand=steps`,
          "7.1",
        );
        const { value: approvals } = parseVendor(
          approvalListSchema,
          raw,
          `GET ${client.project}/_apis/pipelines/approvals`,
        );
        const signOffs: SignOff[] = [];
        for (const approval of approvals) {
          const where =
            approvalRun.get(approval.id) ||
            approval._links?.self?.href ||
            `approval ${approval.id}`;
          for (const step of approval.steps) {
            if (step.status !== "approved") continue;
            const signedAt = step.lastModifiedOn ?? step.initiatedOn;
            if (!signedAt) continue;
            signOffs.push({
              approver: identityLogin(step.actualApprover ?? step.assignedApprover ?? undefined),
              signedAt,
              where,
              ...(step.comment ? { comment: step.comment } : {}),
            });
          }
        }
        return signOffs.sort((a, b) => Date.parse(a.signedAt) - Date.parse(b.signedAt));
      });
    },
  };
}
