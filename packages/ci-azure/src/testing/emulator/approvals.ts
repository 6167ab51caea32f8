import type { AzureState } from "./state.js";

/**
 * `GET {project}/_apis/pipelines/approvals`: approvals have no generated client method, so
 * the adapter addresses them by their documented URL. Answers the approvals asked for
 * (`approvalIds`), with their steps when `$expand=steps`.
 */
export function listApprovals(s: AzureState, url: URL) {
  const { approvals, orgBase, projectId, wrapped } = s;
  const wanted = (url.searchParams.get("approvalIds") ?? "").split(",").filter(Boolean);
  const expandSteps = (url.searchParams.get("$expand") ?? "").toLowerCase().includes("steps");
  const found = [...approvals.values()]
    .filter((a) => wanted.length === 0 || wanted.includes(a.id))
    .map((a) => ({
      id: a.id,
      steps: expandSteps ? a.steps : [],
      status: a.status,
      createdOn: a.createdOn,
      lastModifiedOn: a.createdOn,
      instructions: "",
      minRequiredApprovers: 1,
      executionOrder: "anyOrder",
      blockedApprovers: [],
      _links: { self: { href: `${orgBase()}/${projectId}/_apis/pipelines/approvals/${a.id}` } },
    }));
  return wrapped(found);
}
