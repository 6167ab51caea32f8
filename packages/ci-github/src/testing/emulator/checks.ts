import type { GitHubPayloads } from "../github-emulator-payloads.js";
import type { EmulatedRepository, EmulatedStatus } from "../github-emulator-state.js";
import { latestBy, NOT_FOUND, noCommit, paginate, type Route } from "./route.js";

/** Check runs, combined statuses and branch protection of a ref. */
export function checkRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)\/check-runs$/,
      operationId: "checks/list-for-ref",
      handle: (ctx) => {
        const sha = repo.resolveCommit(ctx.params[0]!);
        if (!sha) {
          return noCommit(
            ctx.params[0]!,
            "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference",
          );
        }
        let runs = repo.checkRuns.filter((r) => r.headSha === sha);
        if ((ctx.query.get("filter") ?? "latest") === "latest")
          runs = latestBy(runs, (r) => r.name);
        const checkName = ctx.query.get("check_name");
        if (checkName) runs = runs.filter((r) => r.name === checkName);
        runs.sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(runs, ctx);
        return {
          status: 200,
          headers,
          body: { total_count: runs.length, check_runs: page.map((r) => p.checkRun(r)) },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)\/status$/,
      operationId: "repos/get-combined-status-for-ref",
      handle: (ctx) => {
        const sha = repo.resolveCommit(ctx.params[0]!);
        if (!sha) return { status: 404, body: NOT_FOUND };
        const latest: EmulatedStatus[] = latestBy(
          repo.statuses.filter((s) => s.sha === sha),
          (s) => s.context,
        ).sort((a, b) => a.id - b.id);
        const { page, headers } = paginate(latest, ctx);
        return { status: 200, headers, body: p.combinedStatus(sha, latest, page) };
      },
    },
    {
      method: "GET",
      pattern: /^\/branches\/(.+)\/protection$/,
      operationId: "repos/get-branch-protection",
      handle: ({ params }) => {
        const body = p.protection(params[0]!);
        if (body) return { status: 200, body };
        return {
          status: 404,
          body: {
            message: "Branch not protected",
            documentation_url:
              "https://docs.github.com/rest/branches/branch-protection#get-branch-protection",
            status: "404",
          },
        };
      },
    },
  ];
}
