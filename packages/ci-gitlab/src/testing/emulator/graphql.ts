import type { GitLabState } from "./state.js";

/**
 * `POST /api/graphql`: only `project(fullPath:).mergeRequests(iids:)` with `approvedBy` and
 * `diffStats`, with GitLab's complexity limit standing in as a node count.
 */
export function answerGraphql(s: GitLabState, body: Record<string, unknown>) {
  const { graphqlMaxNodes, mergeRequests, projectPath, unknownRequests } = s;
  const query = typeof body.query === "string" ? body.query : "";
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  if (!/mergeRequests\s*\(/.test(query) || !/project\s*\(\s*fullPath/.test(query)) {
    unknownRequests.push(`POST /api/graphql ${query.slice(0, 80)}`);
    return { errors: [{ message: "emulator: only project.mergeRequests(iids:) is emulated" }] };
  }
  const iids = Array.isArray(variables.iids) ? variables.iids.map(String) : [];
  const complexity = 3 + iids.length * 3;
  if (iids.length > graphqlMaxNodes) {
    return {
      errors: [
        {
          message: `Query has complexity of ${complexity}, which exceeds max complexity of ${3 + graphqlMaxNodes * 3}`,
        },
      ],
    };
  }
  if (variables.fullPath !== projectPath) return { data: { project: null } };
  const nodes = mergeRequests
    .filter((mr) => iids.includes(String(mr.iid)))
    .map((mr) => {
      const node: Record<string, unknown> = { iid: String(mr.iid) };
      if (/approvedBy/.test(query))
        node.approvedBy = { nodes: mr.approvers.map((a) => ({ username: a.username })) };
      if (/diffStats/.test(query))
        node.diffStats = mr.files.map((path) => ({ path, additions: 1, deletions: 1 }));
      return node;
    });
  return { data: { project: { mergeRequests: { nodes } } } };
}
