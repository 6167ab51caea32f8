import type { GitLabRoute } from "./gitlab-route.js";
import type { GitLabState } from "./state.js";
import type { EmulatedMergeRequest } from "./types.js";

/** Merge requests, their approvals and diffs. */
export function mergeRequestRoutes(s: GitLabState): GitLabRoute[] {
  const { mergeRequests, mrEntity, projectId, userEntity } = s;
  return [
    {
      method: "GET",
      path: "/merge_requests",
      name: "GET /projects/:id/merge_requests",
      handle: ({ params, list }) => {
        let found = mergeRequests.filter(
          (mr) => params.state === undefined || params.state === "all" || mr.state === params.state,
        );
        if (typeof params.target_branch === "string")
          found = found.filter((mr) => mr.targetBranch === params.target_branch);
        if (typeof params.updated_after === "string") {
          const after = Date.parse(params.updated_after);
          found = found.filter((mr) => Date.parse(mr.updatedAt) >= after);
        }
        if (typeof params.updated_before === "string") {
          const before = Date.parse(params.updated_before);
          found = found.filter((mr) => Date.parse(mr.updatedAt) <= before);
        }
        const orderBy = String(params.order_by ?? "created_at");
        const key = (mr: EmulatedMergeRequest) =>
          Date.parse(
            orderBy === "updated_at"
              ? mr.updatedAt
              : orderBy === "merged_at"
                ? (mr.mergedAt ?? mr.updatedAt)
                : mr.createdAt,
          );
        const sign = params.sort === "asc" ? 1 : -1;
        found = [...found].sort((a, b) => sign * (key(a) - key(b) || a.id - b.id));
        return list(found.map(mrEntity));
      },
    },
    {
      method: "GET",
      path: "/merge_requests/:iid/approvals",
      name: "GET /projects/:id/merge_requests/:iid/approvals",
      handle: ({ rest, send }) => {
        const mr = mergeRequests.find((m) => String(m.iid) === rest[1]);
        if (!mr) return send(404, { message: "404 Not found" });
        return send(200, {
          id: mr.id,
          iid: mr.iid,
          project_id: projectId,
          title: mr.title,
          description: "",
          state: mr.state,
          created_at: mr.createdAt,
          updated_at: mr.updatedAt,
          merge_status: "can_be_merged",
          approved: mr.approvers.length > 0,
          approvals_required: 0,
          approvals_left: 0,
          require_password_to_approve: false,
          approved_by: mr.approvers.map((a) => ({
            user: userEntity(a.username),
            approved_at: a.approvedAt,
          })),
          suggested_approvers: [],
          approvers: [],
          approver_groups: [],
          user_has_approved: false,
          user_can_approve: false,
          approval_rules_left: [],
          has_approval_rules: false,
          merge_request_approvers_available: false,
          multiple_approval_rules_available: false,
          invalid_approvers_rules: [],
        });
      },
    },
    {
      method: "GET",
      path: "/merge_requests/:iid/diffs",
      name: "GET /projects/:id/merge_requests/:iid/diffs",
      handle: ({ rest, send, list }) => {
        const mr = mergeRequests.find((m) => String(m.iid) === rest[1]);
        if (!mr) {
          return send(404, { message: "404 Not found" });
        }
        return list(
          mr.files.map((path) => ({
            old_path: path,
            new_path: path,
            a_mode: "100644",
            b_mode: "100644",
            diff: "@@ -1 +1 @@\n-old\n+new\n",
            collapsed: false,
            too_large: false,
            new_file: false,
            renamed_file: false,
            deleted_file: false,
            generated_file: false,
          })),
        );
      },
    },
  ];
}
