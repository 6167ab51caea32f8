import { inspect } from "node:util";
import type { ShipgateError } from "@shipgate/core";
import { sharedPerFile } from "@shipgate/core/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { loadFixtureScenario } from "./testing/github-fixture-replay.js";
import { startContractCheckedGitHubScenario, TEST_TOKEN } from "./testing/github-test-scenario.js";

const SECONDARY = {
  message:
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID EMU:1.",
  documentation_url:
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
  status: "403",
};
const PRIMARY = {
  message:
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID EMU:1.",
  documentation_url:
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
  status: "403",
};

const s = sharedPerFile(startContractCheckedGitHubScenario);
const live = () => ({ signal: new AbortController().signal });
const checkRuns = (path: string) => path.includes("/check-runs");
/** The statuses the check-runs route answered, in order. */
const checkRunStatuses = () => s.gh.requests.filter((r) => checkRuns(r.path)).map((r) => r.status);
const FOREVER = Number.POSITIVE_INFINITY;

/** The check-runs route answers `status` with a rate-limit body (`times` times, default once). */
function rateLimitCheckRuns(
  status: 403 | 429,
  headers: Record<string, string>,
  options: { body?: object; times?: number } = {},
) {
  s.gh.fault({
    path: "/check-runs",
    status,
    headers,
    body: options.body ?? SECONDARY,
    ...(options.times ? { times: options.times } : {}),
  });
}

/** GraphQL answers RATE_LIMITED with a reset `resetInSeconds` from now. */
function rateLimitGraphql(resetInSeconds: number, times?: number) {
  s.gh.fault({
    graphql: true,
    status: 200,
    headers: {
      "x-ratelimit-remaining": "0",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + resetInSeconds),
    },
    body: {
      data: null,
      errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded for user ID 1." }],
    },
    ...(times ? { times } : {}),
  });
}

beforeEach(() => {
  s.logs.length = 0;
});

function expectErr<T>(
  result: { isErr(): boolean; isOk(): boolean } & ({ error: ShipgateError } | { value: T }),
): ShipgateError {
  expect(result.isErr()).toBe(true);
  return (result as { error: ShipgateError }).error;
}

function leaksToken(value: unknown): boolean {
  return (
    inspect(value, { depth: 20, showHidden: true }).includes(TEST_TOKEN) ||
    JSON.stringify(value ?? null).includes(TEST_TOKEN)
  );
}

describe("rate limits", () => {
  it("retries a 403 secondary rate limit after the Retry-After it was given", async () => {
    rateLimitCheckRuns(403, { "retry-after": "1" });
    const result = await s.provider().ci.listChecks(s.fixSha, live());
    expect(result.isOk()).toBe(true);
    expect(checkRunStatuses()).toEqual([403, 200]);
    expect(s.logs.join("\n")).toMatch(
      /secondary rate limit on GET .*check-runs.*retrying after 1 s/,
    );
  });

  it("waits out Retry-After in real time (scaled 100 ms per second here)", async () => {
    rateLimitCheckRuns(403, { "retry-after": "2" });
    const started = Date.now();
    const result = await s
      .provider({ timing: { rateLimitSecondMs: 100, retryBaseMs: 1, writeIntervalMs: 0 } })
      .ci.listChecks(s.fixSha, live());
    expect(result.isOk()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("retries a primary rate limit (x-ratelimit-remaining: 0) after x-ratelimit-reset", async () => {
    const reset = String(Math.floor(Date.now() / 1000) + 2);
    rateLimitCheckRuns(
      403,
      { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
      { body: PRIMARY },
    );
    const result = await s.provider().ci.listChecks(s.fixSha, live());
    expect(result.isOk()).toBe(true);
    expect(s.logs.join("\n")).toMatch(/primary rate limit on GET .*retrying after [23] s/);
  });

  it("retries a 429 with Retry-After", async () => {
    rateLimitCheckRuns(429, { "retry-after": "1" });
    const result = await s.provider().ci.listChecks(s.fixSha, live());
    expect(result.isOk()).toBe(true);
    expect(checkRunStatuses()).toEqual([429, 200]);
  });

  it("retries a GraphQL RATE_LIMITED answer", async () => {
    rateLimitGraphql(0);
    const result = await s
      .provider()
      .approvals.listSignOffs(
        { service: "shop", environment: "production", version: "v1", sha: s.fixSha },
        live(),
      );
    expect(result.isOk()).toBe(true);
    expect(
      result
        ._unsafeUnwrap()
        .map((x) => x.approver)
        .sort(),
    ).toEqual(["alice", "dave"]);
    expect(s.gh.requests.filter((r) => r.kind === "graphql")).toHaveLength(2);
  });

  it("fails a GraphQL RATE_LIMITED answer that would need too long a wait as rate_limited", async () => {
    rateLimitGraphql(3600, FOREVER);
    const error = expectErr(
      await s.provider().sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live()),
    );
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(s.gh.requests.filter((r) => r.kind === "graphql")).toHaveLength(1);
  });

  it("does not wait longer than max_rate_limit_wait_ms: fails rate_limited with the wait asked for", async () => {
    rateLimitCheckRuns(403, { "retry-after": "3600" });
    const error = expectErr(
      await s.provider({ maxRateLimitWaitMs: 60_000 }).ci.listChecks(s.fixSha, live()),
    );
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/secondary rate limit/);
    expect(checkRunStatuses()).toHaveLength(1);
  });

  it("gives up after the bounded number of rate-limit retries", async () => {
    rateLimitCheckRuns(429, { "retry-after": "1" }, { times: FOREVER });
    const error = expectErr(await s.provider().ci.listChecks(s.fixSha, live()));
    expect(error.kind).toBe("rate_limited");
    expect(error.retryable).toBe(true);
    // First try plus three retries.
    expect(checkRunStatuses()).toHaveLength(4);
  });
});

describe("server and network failures", () => {
  it("retries 5xx with backoff and succeeds", async () => {
    s.gh.fault({ path: "/check-runs", status: 502, body: { message: "Server Error" }, times: 2 });
    const result = await s.provider().ci.listChecks(s.fixSha, live());
    expect(result.isOk()).toBe(true);
    expect(checkRunStatuses()).toEqual([502, 502, 200]);
  });

  it("stops after max_retries and reports unavailable", async () => {
    s.gh.fault({
      path: "/check-runs",
      status: 503,
      body: { message: "Service Unavailable" },
      times: FOREVER,
    });
    const error = expectErr(await s.provider({ maxRetries: 2 }).ci.listChecks(s.fixSha, live()));
    expect(error.kind).toBe("unavailable");
    expect(error.status).toBe(503);
    expect(error.request).toBe(`GET /repos/acme/shop/commits/${s.fixSha}/check-runs`);
    expect(checkRunStatuses()).toHaveLength(3);
  });

  it("retries a dropped connection, then reports unavailable", async () => {
    s.gh.fault({ path: "/check-runs", destroy: true, times: FOREVER });
    const error = expectErr(await s.provider({ maxRetries: 1 }).ci.listChecks(s.fixSha, live()));
    expect(error.kind).toBe("unavailable");
    expect(error.message).toMatch(/Could not reach GitHub/);
    expect(checkRunStatuses()).toHaveLength(2);
  });

  it("retries a GraphQL request whose connection dropped", async () => {
    s.gh.fault({ graphql: true, destroy: true });
    const result = await s
      .provider()
      .sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live());
    expect(result._unsafeUnwrap().map((c) => c.number)).toEqual([2, 3, 4]);
    expect(s.gh.requests.filter((r) => r.kind === "graphql").map((r) => r.status)).toEqual([
      0, 200,
    ]);
  });

  it("retries a GraphQL 502", async () => {
    s.gh.fault({ graphql: true, status: 502, body: { message: "Server Error" } });
    const result = await s
      .provider()
      .sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.docsSha }, live());
    expect(result._unsafeUnwrap().map((c) => c.number)).toEqual([2, 3, 4]);
  });
});

describe("auth and not found stop at once", () => {
  it("401: names the token's environment variable, one request, no retry", async () => {
    const error = expectErr(
      await s.provider({ token: "wrong-token-not-real" }).ci.listChecks(s.fixSha, live()),
    );
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(401);
    expect(error.message).toContain("GITHUB_TOKEN");
    expect(error.vendorMessage).toBe("Bad credentials");
    expect(s.gh.requests).toHaveLength(1);
    expect(leaksToken(error)).toBe(false);
    expect(error.describe()).not.toContain("wrong-token-not-real");
  });

  it("403 permission: says which permission and which repository, no retry", async () => {
    s.gh.fault({
      path: "/check-runs",
      status: 403,
      headers: { "x-accepted-github-permissions": "checks=read" },
      body: {
        message: "Resource not accessible by personal access token",
        documentation_url:
          "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference",
        status: "403",
      },
    });
    const error = expectErr(await s.provider().ci.listChecks(s.fixSha, live()));
    expect(error.kind).toBe("auth");
    expect(error.status).toBe(403);
    expect(error.message).toContain("acme/shop");
    expect(error.hint).toContain("checks: read");
    expect(checkRunStatuses()).toHaveLength(1);
  });

  it("404 for a wrong repository: not_found naming owner/repo, no retry", async () => {
    const error = expectErr(
      await s.provider({ repo: "no-such-repo" }).sourceControl.getTag("v1.0.0", live()),
    );
    expect(error.kind).toBe("not_found");
    expect(error.request).toBe("GET /repos/acme/no-such-repo/git/matching-refs/tags%2Fv1.0.0");
    expect(error.hint).toContain("acme/no-such-repo");
    expect(s.gh.requests).toHaveLength(1);
  });

  it("GraphQL NOT_FOUND for a wrong repository", async () => {
    const error = expectErr(
      await s
        .provider({ repo: "no-such-repo" })
        .approvals.listSignOffs(
          { service: "shop", environment: "production", version: "v1", sha: s.fixSha },
          live(),
        ),
    );
    expect(error.kind).toBe("not_found");
    expect(error.vendorMessage).toContain("acme/no-such-repo");
  });

  it("keeps the token out of errors and logs", async () => {
    s.gh.fault({ path: "/check-runs", status: 500, body: { message: "boom" }, times: 10 });
    const error = expectErr(await s.provider().ci.listChecks(s.fixSha, live()));
    expect(leaksToken(error)).toBe(false);
    expect(leaksToken(error.toJSON())).toBe(false);
    expect(s.logs.join("\n")).not.toContain(TEST_TOKEN);
  });
});

describe("timeouts and cancellation", () => {
  it("times out a slow answer per attempt, retries, then reports timeout", async () => {
    s.gh.fault({ path: "/check-runs", delayMs: 1_000, times: 5 });
    const started = Date.now();
    const error = expectErr(
      await s.provider({ requestTimeoutMs: 60, maxRetries: 1 }).ci.listChecks(s.fixSha, live()),
    );
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/60 ms per attempt/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("an already aborted signal makes no request", async () => {
    const controller = new AbortController();
    controller.abort();
    const error = expectErr(
      await s.provider().ci.listChecks(s.fixSha, { signal: controller.signal }),
    );
    expect(error.kind).toBe("aborted");
    expect(s.gh.requests).toHaveLength(0);
  });

  it("aborting mid-request resolves to aborted at once", async () => {
    s.gh.fault({ path: "/check-runs", delayMs: 2_000 });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("user pressed ctrl-c")), 50);
    const error = expectErr(
      await s.provider().ci.listChecks(s.fixSha, { signal: controller.signal }),
    );
    expect(error.kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("aborting during a rate-limit wait resolves to aborted without waiting it out", async () => {
    rateLimitCheckRuns(403, { "retry-after": "30" });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = expectErr(
      await s
        .provider({ timing: { rateLimitSecondMs: 1000, retryBaseMs: 1, writeIntervalMs: 0 } })
        .ci.listChecks(s.fixSha, { signal: controller.signal }),
    );
    expect(error.kind).toBe("aborted");
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe("a recorded GitHub error (@octokit/fixtures errors scenario)", () => {
  it("maps the recorded 422 Validation Failed onto bad_query with GitHub's own words", async () => {
    s.gh.replay(loadFixtureScenario("errors", { 0: "issues/create-label" }));
    const client = s.provider({ owner: "octokit-fixture-org", repo: "errors" }).client;
    const result = await client.run(live().signal, { action: "create a label" }, (gh) =>
      gh.rest("POST /repos/{owner}/{repo}/labels", { name: "foo", color: "invalid" }, {
        safeParse: (d: unknown) => ({ success: true, data: d }),
      } as never),
    );
    const error = expectErr(result);
    expect(error.kind).toBe("bad_query");
    expect(error.status).toBe(422);
    expect(error.vendorMessage).toBe("Validation Failed");
    expect(error.details?.errors).toEqual([{ resource: "Label", code: "invalid", field: "color" }]);
    expect(s.gh.pendingReplays()).toEqual([]);
  });
});
