import type { GitHubPayloads } from "../github-emulator-payloads.js";
import type { EmulatedRepository } from "../github-emulator-state.js";
import { NOT_FOUND, paginate, type Route } from "./route.js";

/** Workflow runs and their deployment reviews (approvals). */
export function actionRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/actions\/runs$/,
      operationId: "actions/list-workflow-runs-for-repo",
      handle: (ctx) => {
        const headSha = ctx.query.get("head_sha");
        const runs = repo.workflowRuns
          .filter((r) => !headSha || r.headSha === headSha)
          .sort((a, b) => b.id - a.id);
        const { page, headers } = paginate(runs, ctx);
        return {
          status: 200,
          headers,
          body: { total_count: runs.length, workflow_runs: page.map((r) => p.workflowRun(r)) },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/actions\/runs\/(\d+)\/approvals$/,
      operationId: "actions/get-reviews-for-run",
      handle: ({ params }) => {
        const run = repo.workflowRuns.find((r) => r.id === Number(params[0]));
        if (!run) return { status: 404, body: NOT_FOUND };
        return {
          status: 200,
          body: run.approvals.map((a, i) => p.environmentApproval(a, i)),
        };
      },
    },
  ];
}
