import type { GitLabRoute } from "./gitlab-route.js";
import { type GitLabState, sha1 } from "./state.js";

/** Repository: the project, commits, compares, merge bases and tags. */
export function repositoryRoutes(s: GitLabState): GitLabRoute[] {
  const {
    ancestors,
    commitEntity,
    commits,
    defaultBranch,
    projectId,
    projectPath,
    projectWeb,
    resolveRef,
    tagEntity,
    tags,
    tick,
  } = s;
  return [
    {
      method: "GET",
      path: "/",
      name: "GET /projects/:id",
      handle: ({ send }) => {
        return send(200, {
          id: projectId,
          description: null,
          name: projectPath.split("/").pop(),
          name_with_namespace: projectPath.replace("/", " / "),
          path: projectPath.split("/").pop(),
          path_with_namespace: projectPath,
          created_at: "2025-01-01T00:00:00.000Z",
          default_branch: defaultBranch,
          web_url: projectWeb(),
        });
      },
    },
    {
      method: "GET",
      path: "/repository/commits",
      name: "GET /projects/:id/repository/commits",
      handle: ({ params, list }) => {
        const refName = String(params.ref_name ?? defaultBranch);
        const [fromRef, toRef] = refName.includes("..")
          ? refName.split("..")
          : [undefined, refName];
        const head = resolveRef(toRef!);
        if (!head) return list([]);
        let reachable = ancestors(head);
        if (fromRef) {
          const exclude = ancestors(resolveRef(fromRef) ?? "");
          reachable = new Set([...reachable].filter((id) => !exclude.has(id)));
        }
        const ordered = [...reachable].map((id) => commits.get(id)!).sort((a, b) => b.seq - a.seq);
        return list(ordered.map((c) => commitEntity(c.id)));
      },
    },
    {
      method: "GET",
      path: "/repository/commits/:sha",
      name: "GET /projects/:id/repository/commits/:sha",
      handle: ({ rest, send }) => {
        const id = resolveRef(rest[2]!);
        if (!id) return send(404, { message: "404 Commit Not Found" });
        return send(200, {
          ...commitEntity(id),
          stats: { additions: 1, deletions: 0, total: 1 },
          status: null,
          project_id: projectId,
          last_pipeline: null,
        });
      },
    },
    {
      method: "GET",
      path: "/repository/compare",
      name: "GET /projects/:id/repository/compare",
      handle: ({ params, send }) => {
        const from = resolveRef(String(params.from ?? ""));
        const to = resolveRef(String(params.to ?? ""));
        if (!from || !to) return send(404, { message: "404 Ref Not Found" });
        const exclude = ancestors(from);
        const inRange = [...ancestors(to)]
          .filter((id) => !exclude.has(id))
          .map((id) => commits.get(id)!)
          .sort((a, b) => a.seq - b.seq)
          .map((c) => commitEntity(c.id));
        return send(200, {
          commit: inRange.at(-1) ?? null,
          commits: inRange,
          diffs: [],
          compare_timeout: false,
          compare_same_ref: from === to,
          web_url: `${projectWeb()}/-/compare/${from}...${to}`,
        });
      },
    },
    {
      method: "GET",
      path: "/repository/merge_base",
      name: "GET /projects/:id/repository/merge_base",
      handle: ({ url, send }) => {
        const refs = new URLSearchParams(url.search).getAll("refs[]");
        if (refs.length < 2) return send(400, { message: "Provide at least 2 refs" });
        const resolved = refs.map((r) => [r, resolveRef(r)] as const);
        const missing = resolved.filter(([, id]) => !id).map(([r]) => r);
        if (missing.length > 0) {
          return send(400, {
            message: `Could not find ref${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`,
          });
        }
        const sets = resolved.map(([, id]) => ancestors(id!));
        const common = [...sets[0]!].filter((id) => sets.every((s) => s.has(id)));
        if (common.length === 0) return send(404, { message: "404 Merge Base Not Found" });
        const best = common.map((id) => commits.get(id)!).sort((a, b) => b.seq - a.seq)[0]!;
        return send(200, commitEntity(best.id));
      },
    },
    {
      method: "GET",
      path: "/repository/tags/:name",
      name: "GET /projects/:id/repository/tags/:tag_name",
      handle: ({ rest, send }) => {
        if (!tags.has(rest[2]!)) return send(404, { message: "404 Tag Not Found" });
        return send(200, tagEntity(rest[2]!));
      },
    },
    {
      method: "POST",
      path: "/repository/tags",
      name: "POST /projects/:id/repository/tags",
      handle: ({ params, send }) => {
        const name = typeof params.tag_name === "string" ? params.tag_name : "";
        const ref = typeof params.ref === "string" ? params.ref : "";
        if (!name) return send(400, { error: "tag_name is missing" });
        if (!ref) return send(400, { error: "ref is missing" });
        if (/\s|\.\.|^-|~|\^|:|\\/.test(name)) return send(400, { message: "Tag name invalid" });
        if (tags.has(name)) return send(409, { message: `Tag ${name} already exists` });
        const target = resolveRef(ref);
        if (!target) return send(400, { message: `Target ${ref} is invalid` });
        const message =
          typeof params.message === "string" && params.message.trim() !== ""
            ? params.message.trim()
            : null;
        tags.set(name, {
          name,
          commit: target,
          target: message === null ? target : sha1(`tag:${name}:${message}`),
          message,
          createdAt: tick(),
        });
        return send(201, tagEntity(name));
      },
    },
  ];
}
