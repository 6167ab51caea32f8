import type { GitLabRoute } from "./gitlab-route.js";
import type { GitLabState } from "./state.js";

/** Pipelines and commit statuses (the CI gate). */
export function pipelineRoutes(s: GitLabState): GitLabRoute[] {
  const { pipelines, resolveRef, statuses } = s;
  return [
    {
      method: "GET",
      path: "/repository/commits/:sha/statuses",
      name: "GET /projects/:id/repository/commits/:sha/statuses",
      handle: ({ rest, params, send, list }) => {
        const id = resolveRef(rest[2]!);
        if (!id) {
          return send(404, { message: "404 Commit Not Found" });
        }
        const all = params.all === "true" || params.all === true;
        let found = statuses.filter((s) => s.sha === id);
        if (!all) {
          // Latest per name (and ref), as GitLab does without `all`.
          const latest = new Map<string, Record<string, unknown>>();
          for (const s of found) latest.set(`${s.name}@${s.ref}`, s);
          found = [...latest.values()];
        }
        return list(found);
      },
    },
    {
      method: "GET",
      path: "/pipelines",
      name: "GET /projects/:id/pipelines",
      handle: ({ params, list }) => {
        let found = pipelines;
        if (typeof params.sha === "string") found = found.filter((p) => p.sha === params.sha);
        if (typeof params.ref === "string") found = found.filter((p) => p.ref === params.ref);
        // Newest first (order_by=id, sort=desc are GitLab's defaults).
        return list([...found].reverse());
      },
    },
  ];
}
