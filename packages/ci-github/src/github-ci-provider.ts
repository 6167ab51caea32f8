import {
  CI_CHECK_CONCLUSIONS,
  type CiCheck,
  type CiCheckConclusion,
  type CiProvider,
} from "@shipgate/core";
import { z } from "zod";
import type { BoundGitHub, GitHubClient } from "./octokit-client.js";

const checkRunSchema = z.object({
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  html_url: z.string().nullable().optional(),
  details_url: z.string().nullable().optional(),
  started_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  app: z.object({ id: z.number() }).nullable().optional(),
});

const commitStatusSchema = z.object({
  context: z.string(),
  state: z.string(),
  target_url: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
});

const protectionSchema = z.object({
  required_status_checks: z
    .object({
      contexts: z.array(z.string()).optional(),
      checks: z
        .array(z.object({ context: z.string(), app_id: z.number().nullable().optional() }))
        .optional(),
    })
    .nullable()
    .optional(),
});

/** A check-run as read from GitHub, reduced to what the mapping needs. */
export type GitHubCheckRun = z.infer<typeof checkRunSchema>;
/** A commit status as read from GitHub. */
export type GitHubCommitStatus = z.infer<typeof commitStatusSchema>;

/** The required status checks of the release branch, when GitHub lets us read them. */
export interface RequiredChecks {
  contexts: Set<string>;
  /** Context → app id; `null`/`-1` means any app may report it. */
  apps: Map<string, number | null>;
}

const CONCLUSIONS = new Set<CiCheckConclusion>(CI_CHECK_CONCLUSIONS);

/**
 * Maps a GitHub check run onto a {@link CiCheck}. GitHub's extra statuses (`waiting`,
 * `requested`, `pending`) have not started: they are `queued`. A conclusion outside the
 * contract's vocabulary (e.g. `startup_failure`) is reported as `failure`.
 */
export function checkRunToCiCheck(
  run: GitHubCheckRun,
  required: RequiredChecks | undefined,
): CiCheck {
  const status =
    run.status === "completed"
      ? "completed"
      : run.status === "in_progress"
        ? "in_progress"
        : "queued";
  const conclusion =
    status !== "completed"
      ? null
      : CONCLUSIONS.has(run.conclusion as CiCheckConclusion)
        ? (run.conclusion as CiCheckConclusion)
        : "failure";
  const check: CiCheck = {
    name: run.name,
    status,
    conclusion,
    url: run.html_url ?? run.details_url ?? null,
    startedAt: run.started_at ?? null,
    completedAt: status === "completed" ? (run.completed_at ?? null) : null,
  };
  if (required) check.required = isRequired(required, run.name, run.app?.id);
  return check;
}

/**
 * Maps a commit status onto a {@link CiCheck}: `pending` is in progress; `error` (the CI
 * itself broke) and `failure` are failures.
 */
export function commitStatusToCiCheck(
  status: GitHubCommitStatus,
  required: RequiredChecks | undefined,
): CiCheck {
  const done = status.state !== "pending";
  const check: CiCheck = {
    name: status.context,
    status: done ? "completed" : "in_progress",
    conclusion: !done ? null : status.state === "success" ? "success" : "failure",
    url: status.target_url ?? null,
    startedAt: status.created_at ?? null,
    completedAt: done ? (status.updated_at ?? status.created_at ?? null) : null,
  };
  if (required) check.required = isRequired(required, status.context, undefined);
  return check;
}

function isRequired(required: RequiredChecks, name: string, appId: number | undefined): boolean {
  if (!required.contexts.has(name)) return false;
  const app = required.apps.get(name);
  // A required check pinned to an app only counts when that app reported it.
  return app === undefined || app === null || app === -1 || appId === undefined || app === appId;
}

/**
 * Reads the release branch's required status checks. GitHub only shows branch protection
 * to tokens with administration read access, and answers 404 for an unprotected branch:
 * both — and a protection that requires no checks — mean "the platform does not say", so
 * the result is `undefined` and core treats every check as required.
 */
async function readRequiredChecks(
  gh: BoundGitHub,
  branch: string,
): Promise<RequiredChecks | undefined> {
  try {
    const { data } = await gh.rest(
      "GET /repos/{owner}/{repo}/branches/{branch}/protection",
      { branch },
      protectionSchema,
    );
    const rsc = data.required_status_checks;
    const contexts = new Set([
      ...(rsc?.contexts ?? []),
      ...(rsc?.checks ?? []).map((c) => c.context),
    ]);
    // Protection without required checks says nothing about which checks matter.
    if (!rsc || contexts.size === 0) return undefined;
    const apps = new Map<string, number | null>();
    for (const c of rsc.checks ?? []) apps.set(c.context, c.app_id ?? null);
    return { contexts, apps };
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 404 || status === 403) return undefined;
    throw error;
  }
}

/**
 * The CI gate's view of GitHub: every check run (Checks API) and every commit status
 * (Statuses API, latest per context) of a commit, all pages, marked required or optional
 * from branch protection where readable.
 */
export function createGitHubCiProvider(client: GitHubClient, releaseBranch: string): CiProvider {
  return {
    name: "github-checks",
    listChecks(sha, { signal }) {
      return client.run(
        signal,
        {
          action: `list checks for ${sha.slice(0, 12)}`,
          permission: "checks: read and commit statuses: read (fine-grained) or repo (classic)",
        },
        async (gh) => {
          let runs: GitHubCheckRun[];
          try {
            runs = (
              await gh.pages(
                "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
                { ref: sha, per_page: 100, filter: "latest" },
                (data) =>
                  Array.isArray(data) ? data : (data as { check_runs?: unknown }).check_runs,
                checkRunSchema,
              )
            ).items;
          } catch (error) {
            // GitHub answers 422 "No commit found for SHA" for a commit it has never seen.
            if ((error as { status?: unknown }).status === 422) return [];
            throw error;
          }
          const [statuses, required] = await Promise.all([
            gh.pages(
              "GET /repos/{owner}/{repo}/commits/{ref}/status",
              { ref: sha, per_page: 100 },
              (data) => (data as { statuses?: unknown }).statuses,
              commitStatusSchema,
            ),
            readRequiredChecks(gh, releaseBranch),
          ]);
          return [
            ...runs.map((run) => checkRunToCiCheck(run, required)),
            ...statuses.items.map((status) => commitStatusToCiCheck(status, required)),
          ];
        },
      );
    },
  };
}
