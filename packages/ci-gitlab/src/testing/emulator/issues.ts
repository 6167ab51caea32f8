import type { GitLabRoute } from "./gitlab-route.js";
import type { GitLabState } from "./state.js";

/** Issues (incidents). */
export function issueRoutes(s: GitLabState): GitLabRoute[] {
  const { issues, projectId, projectPath, projectWeb, tick, userEntity } = s;
  return [
    {
      method: "POST",
      path: "/issues",
      name: "POST /projects/:id/issues",
      handle: ({ params, send }) => {
        if (typeof params.title !== "string" || params.title.length === 0)
          return send(400, { error: "title is missing" });
        const iid = issues.length + 1;
        const issueType = typeof params.issue_type === "string" ? params.issue_type : "issue";
        const now = tick();
        const issue = {
          id: 9000 + iid,
          iid,
          project_id: projectId,
          title: params.title,
          description: typeof params.description === "string" ? params.description : null,
          state: "opened",
          created_at: now,
          updated_at: now,
          closed_at: null,
          closed_by: null,
          labels: typeof params.labels === "string" ? params.labels.split(",").filter(Boolean) : [],
          milestone: null,
          assignees: [],
          author: userEntity("shipgate-bot"),
          type: issueType.toUpperCase(),
          issue_type: issueType,
          assignee: null,
          user_notes_count: 0,
          upvotes: 0,
          downvotes: 0,
          due_date: null,
          confidential: false,
          discussion_locked: null,
          web_url: `${projectWeb()}/-/issues/${iid}`,
          references: { short: `#${iid}`, relative: `#${iid}`, full: `${projectPath}#${iid}` },
          severity: "UNKNOWN",
        };
        issues.push(issue);
        return send(201, issue);
      },
    },
    {
      method: "GET",
      path: "/issues",
      name: "GET /projects/:id/issues",
      // lib/api/issues.rb: `state` is one of opened, closed, all (default all); an unknown
      // value is Grape's 400. Newest first (order_by created_at, sort desc), paginated.
      handle: ({ params, send, list }) => {
        const state = params.state ?? "all";
        if (state !== "opened" && state !== "closed" && state !== "all")
          return send(400, { error: "state does not have a valid value" });
        let found = issues;
        if (state !== "all") found = found.filter((i) => i.state === state);
        if (typeof params.issue_type === "string")
          found = found.filter((i) => i.issue_type === params.issue_type);
        if (typeof params.labels === "string") {
          const wanted = params.labels.split(",").filter(Boolean);
          found = found.filter((i) => wanted.every((l) => (i.labels as string[]).includes(l)));
        }
        return list([...found].reverse());
      },
    },
    {
      method: "PUT",
      path: "/issues/:iid",
      name: "PUT /projects/:id/issues/:issue_iid",
      handle: ({ rest, params, send }) => {
        const issue = issues.find((i) => String(i.iid) === rest[1]);
        if (!issue) return send(404, { message: "404 Issue Not Found" });
        if (params.state_event === "close") {
          issue.state = "closed";
          issue.closed_at = tick();
        }
        issue.updated_at = tick();
        return send(200, issue);
      },
    },
  ];
}
