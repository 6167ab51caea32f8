import type { GitHubPayloads } from "../github-emulator-payloads.js";
import type { EmulatedRepository } from "../github-emulator-state.js";
import { NOT_FOUND, noCommit, paginate, type Route } from "./route.js";

/** Commits and comparisons: `GET /commits/{ref}`, `GET /commits`, `GET /compare/{basehead}`. */
export function commitRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/commits\/([^/]+)$/,
      operationId: "repos/get-commit",
      handle: ({ params, accept }) => {
        const sha = repo.resolveCommit(params[0]!);
        if (!sha) {
          return noCommit(params[0]!, "https://docs.github.com/rest/commits/commits#get-a-commit");
        }
        if (/application\/vnd\.github(\.v3)?\.sha/.test(accept)) {
          return {
            status: 200,
            text: sha,
            headers: {
              "content-type": "application/vnd.github.sha; charset=utf-8",
              "x-github-media-type": "github.v3; param=sha",
            },
          };
        }
        return { status: 200, body: p.commit(repo.commits.get(sha)!, true) };
      },
    },
    {
      method: "GET",
      pattern: /^\/commits$/,
      operationId: "repos/list-commits",
      handle: (ctx) => {
        const head = repo.resolveCommit(ctx.query.get("sha") ?? "main");
        if (!head) return { status: 404, body: NOT_FOUND };
        const all = repo.chronological(repo.ancestors(head)).reverse();
        const { page, headers } = paginate(all, ctx);
        return { status: 200, body: page.map((c) => p.commit(c)), headers };
      },
    },
    {
      method: "GET",
      pattern: /^\/compare\/(.+)$/,
      operationId: "repos/compare-commits-with-basehead",
      handle: (ctx) => {
        const spec = ctx.params[0]!;
        const split = spec.indexOf("...");
        if (split < 0) return { status: 404, body: NOT_FOUND };
        const baseSha = repo.resolveCommit(spec.slice(0, split));
        const headSha = repo.resolveCommit(spec.slice(split + 3));
        if (!baseSha || !headSha) return { status: 404, body: NOT_FOUND };
        const fromBase = repo.ancestors(baseSha);
        const fromHead = repo.ancestors(headSha);
        const common = [...fromHead].filter((s) => fromBase.has(s));
        if (common.length === 0) {
          return {
            status: 404,
            body: {
              message: `No common ancestor between ${spec.slice(0, split)} and ${spec.slice(split + 3)}.`,
              documentation_url: "https://docs.github.com/rest/commits/commits#compare-two-commits",
              status: "404",
            },
          };
        }
        const mergeBase = repo.chronological(common).at(-1)!;
        const ahead = repo.chronological([...fromHead].filter((s) => !fromBase.has(s)));
        const behindBy = [...fromBase].filter((s) => !fromHead.has(s)).length;
        const paged = ctx.query.has("page") || ctx.query.has("per_page");
        let commits = ahead;
        let headers: Record<string, string> = {};
        let firstPage = true;
        if (paged) {
          const sliced = paginate(ahead, ctx);
          commits = sliced.page;
          headers = sliced.headers;
          firstPage = Number(ctx.query.get("page") ?? 1) <= 1;
        } else {
          // Without paging parameters GitHub returns the most recent 250 commits.
          commits = ahead.slice(-250);
        }
        const files = firstPage
          ? [...new Set(ahead.flatMap((c) => c.files))]
              .slice(0, 300)
              .map((f) => p.diffEntry(f, headSha))
          : [];
        const status =
          ahead.length > 0 && behindBy > 0
            ? "diverged"
            : ahead.length > 0
              ? "ahead"
              : behindBy > 0
                ? "behind"
                : "identical";
        const web = `${p.repoWeb}/compare/${spec}`;
        return {
          status: 200,
          headers,
          body: {
            url: `${p.repoApi}/compare/${spec}`,
            html_url: web,
            permalink_url: `${p.repoWeb}/compare/${repo.owner}:${baseSha}...${repo.owner}:${headSha}`,
            diff_url: `${web}.diff`,
            patch_url: `${web}.patch`,
            base_commit: p.commit(repo.commits.get(baseSha)!),
            merge_base_commit: p.commit(mergeBase),
            status,
            ahead_by: ahead.length,
            behind_by: behindBy,
            total_commits: ahead.length,
            commits: commits.map((c) => p.commit(c)),
            files,
          },
        };
      },
    },
  ];
}
