import {
  describeHttpTransportConformance,
  itSendsNothingWhenAborted,
  transportUnderTest,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { retryAfterMs } from "./gitlab-transport.js";
import type { GitLabEmulator } from "./testing/gitlab-emulator.js";
import { live, seededGitLabProviderPerTest } from "./testing/gitlab-test-scenario.js";

const seeded = seededGitLabProviderPerTest();
const scenario = seededGitLabProviderPerTest({
  tokenEnv: "GITLAB_TOKEN",
  transport: { retryBaseDelayMs: 1 },
});

const attempts = (gitlab: GitLabEmulator, path: RegExp) =>
  gitlab.requests.filter((r) => path.test(r.url)).length;

describe("GitLab rate limits", () => {
  it("honours RateLimit-Reset when there is no Retry-After", async () => {
    const {
      emulator: gitlab,
      s,
      provider,
    } = await scenario({ transport: { maxRetryWaitMs: 60_000 } });
    // A reset already reached: retry at once.
    gitlab.fail({
      path: /\/pipelines/,
      respond: {
        status: 429,
        headers: { "ratelimit-reset": String(Math.floor(Date.now() / 1000) - 1) },
      },
    });
    expect((await provider.ci.listChecks(s.greenSha, live())).isOk()).toBe(true);
    expect(attempts(gitlab, /\/pipelines/)).toBe(2);
    // A reset an hour away is read as such (and is longer than the caller accepts to wait).
    gitlab.resetLog();
    const reset = Math.floor(Date.now() / 1000) + 3600;
    gitlab.fail({
      path: /\/pipelines/,
      respond: { status: 429, headers: { "ratelimit-reset": String(reset) } },
    });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterMs).toBeGreaterThan(3_590_000);
    expect(attempts(gitlab, /\/pipelines/)).toBe(1);
  });

  it("stops after the retry bound when the limit persists", async () => {
    const { emulator: gitlab, s, provider } = await scenario({ transport: { maxRetries: 2 } });
    gitlab.fail({
      path: /\/pipelines/,
      times: 10,
      respond: { status: 429, headers: { "retry-after": "0" } },
    });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("rate_limited");
    expect(attempts(gitlab, /\/pipelines/)).toBe(3);
  });

  it("parses Retry-After seconds, HTTP dates and RateLimit-Reset", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(
      5000,
    );
    expect(retryAfterMs(new Headers({ "ratelimit-reset": String(now / 1000 + 7) }), now)).toBe(
      7000,
    );
    expect(retryAfterMs(new Headers({}), now)).toBeUndefined();
  });
});

describe("GitLab failures", () => {
  it("stops at once on 401 and names the token variable, never the token", async () => {
    const { emulator: gitlab, s, provider } = await scenario({ token: "glpat-wrong-secret-value" });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", status: 401 });
    expect(error.message).toContain("GITLAB_TOKEN");
    expect(gitlab.requests).toHaveLength(1);
    expect(JSON.stringify({ ...error.toJSON(), describe: error.describe() })).not.toContain(
      "glpat-wrong-secret-value",
    );
  });

  it("stops at once on 403 and names the missing scope and the project", async () => {
    const { emulator: gitlab, s, provider } = await scenario();
    gitlab.fail({
      method: "POST",
      path: /repository\/tags/,
      respond: {
        status: 403,
        body: {
          error: "insufficient_scope",
          error_description:
            "The request requires higher privileges than provided by the access token.",
          scope: "api",
        },
      },
    });
    const error = (
      await provider.sourceControl.createAnnotatedTag(
        { name: "v2", sha: s.toSha, message: "v2" },
        live(),
      )
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", status: 403 });
    expect(error.message).toContain("`api` scope");
    expect(error.message).toContain("acme/shop");
    expect(attempts(gitlab, /repository\/tags/)).toBe(1);
  });

  it("stops at once on 404 for a project that does not exist, naming it", async () => {
    const {
      s,
      provider: { ci },
    } = await seeded({ project: "acme/nope" });
    const error = (await ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({
      kind: "not_found",
      status: 404,
      vendorMessage: "404 Project Not Found",
    });
    expect(error.message).toContain("acme/nope");
    expect(error.request).toMatch(/^GET \/api\/v4\/projects\/acme%2Fnope\/pipelines\?/);
  });

  it("reports malformed JSON and off-contract answers as invalid_response", async () => {
    const { emulator: gitlab, s, provider } = await scenario();
    gitlab.fail({ path: /\/pipelines/, respond: { rawBody: '[{"id": 1,' } });
    expect((await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
    gitlab.fail({
      path: /\/pipelines/,
      respond: { status: 200, body: [{ id: "one", sha: s.greenSha }] },
    });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_response");
    expect(error.message).toMatch(/0\.id|ref|status/);
  });
});

describe("GitLab timeouts and cancellation", () => {
  itSendsNothingWhenAborted(scenario, ({ s, provider }, signal) => [
    provider.ci.listChecks(s.greenSha, { signal }),
    provider.sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, { signal }),
    provider.incidents.open({} as never, { signal }),
  ]);
});

describeHttpTransportConformance("gitlab", async (settings) => {
  const { emulator: gitlab, s, provider } = await scenario({ transport: settings });
  return transportUnderTest(
    gitlab,
    (signal) => provider.ci.listChecks(s.greenSha, { signal }),
    /\/pipelines/,
  );
});
