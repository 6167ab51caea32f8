import type { GitHubPayloads } from "../github-emulator-payloads.js";
import type { EmulatedRepository } from "../github-emulator-state.js";
import { NOT_FOUND, paginate, type Route, validationFailed } from "./route.js";

/** Issues and their comments (incidents). */
export function issueRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  return [
    {
      method: "POST",
      pattern: /^\/issues$/,
      operationId: "issues/create",
      handle: ({ body }) => {
        if (typeof body.title !== "string" || body.title === "") {
          return validationFailed(
            "Validation Failed",
            "https://docs.github.com/rest/issues/issues#create-an-issue",
            "title",
          );
        }
        const now = repo.tick(0);
        const number = repo.number();
        const labels = Array.isArray(body.labels)
          ? body.labels.filter((l): l is string => typeof l === "string")
          : [];
        repo.issues.set(number, {
          number,
          id: repo.id(),
          title: body.title,
          body: typeof body.body === "string" ? body.body : null,
          labels,
          state: "open",
          stateReason: null,
          author: "shipgate-bot",
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          comments: [],
        });
        return {
          status: 201,
          body: p.issue(repo.issues.get(number)!),
          headers: { location: `${p.repoApi}/issues/${number}` },
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/issues$/,
      operationId: "issues/list-for-repo",
      handle: (ctx) => {
        const state = ctx.query.get("state") ?? "open";
        const wanted = (ctx.query.get("labels") ?? "")
          .split(",")
          .map((l) => l.trim().toLowerCase())
          .filter(Boolean);
        const issues = [...repo.issues.values()]
          .filter((i) => state === "all" || i.state === state)
          .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
          .sort((a, b) => b.number - a.number);
        const { page, headers } = paginate(issues, ctx);
        return { status: 200, headers, body: page.map((i) => p.issue(i)) };
      },
    },
    {
      method: "GET",
      pattern: /^\/issues\/(\d+)$/,
      operationId: "issues/get",
      handle: ({ params }) => {
        const issue = repo.issues.get(Number(params[0]));
        return issue ? { status: 200, body: p.issue(issue) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "PATCH",
      pattern: /^\/issues\/(\d+)$/,
      operationId: "issues/update",
      handle: ({ params, body }) => {
        const issue = repo.issues.get(Number(params[0]));
        if (!issue) return { status: 404, body: NOT_FOUND };
        if (body.state === "closed" || body.state === "open") {
          issue.state = body.state;
          issue.closedAt = body.state === "closed" ? repo.tick(0) : null;
          issue.stateReason =
            body.state === "closed"
              ? body.state_reason === "not_planned"
                ? "not_planned"
                : "completed"
              : "reopened";
        }
        if (typeof body.title === "string") issue.title = body.title;
        if (typeof body.body === "string") issue.body = body.body;
        issue.updatedAt = repo.tick(0);
        return { status: 200, body: p.issue(issue) };
      },
    },
    {
      method: "POST",
      pattern: /^\/issues\/(\d+)\/comments$/,
      operationId: "issues/create-comment",
      handle: ({ params, body }) => {
        const issue = repo.issues.get(Number(params[0]));
        if (!issue) return { status: 404, body: NOT_FOUND };
        if (typeof body.body !== "string" || body.body === "") {
          return validationFailed(
            "Validation Failed",
            "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
            "body",
          );
        }
        const comment = {
          id: repo.id(),
          body: body.body,
          author: "shipgate-bot",
          createdAt: repo.tick(0),
        };
        issue.comments.push(comment);
        return { status: 201, body: p.issueComment(issue, comment) };
      },
    },
  ];
}
