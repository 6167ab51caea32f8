import {
  describeHttpTransportConformance,
  itSendsNothingWhenAborted,
  transportUnderTest,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { createAzureDevOpsProvider } from "./azure-provider.js";
import { AzureThrottle, retryAfterMs } from "./azure-transport.js";
import type { AzureDevOpsEmulator } from "./testing/azure-emulator.js";
import { live, seededAzureProviderPerTest } from "./testing/azure-test-scenario.js";

const seeded = seededAzureProviderPerTest();
// Warm the client up (location and repository lookups) so tests count only their own calls.
const warmed = seededAzureProviderPerTest(
  { tokenEnv: "AZURE_DEVOPS_TOKEN", transport: { retryBaseDelayMs: 1 } },
  { warm: (provider) => provider.sourceControl.getTag("v1.0.0", live()) },
);

const attempts = (azure: AzureDevOpsEmulator, path: RegExp) =>
  azure.requests.filter((r) => path.test(r.url)).length;

describe("Azure DevOps rate limits", () => {
  it("reads X-RateLimit-Reset, and gives up at once when the wait is longer than allowed", async () => {
    const { emulator: azure, s, provider } = await warmed({ transport: { maxRetryWaitMs: 5_000 } });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    azure.fail({
      path: /\/_apis\/build\/builds\?/,
      respond: {
        status: 429,
        headers: {
          "x-ratelimit-resource": "ATCommon",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(reset),
        },
      },
    });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryable: true });
    expect(error.retryAfterMs).toBeGreaterThan(3_590_000);
    expect(attempts(azure, /\/_apis\/build\/builds\?/)).toBe(1);
  });

  it("slows down after a 200 that carries Retry-After (soft throttling)", async () => {
    const { emulator: azure, provider } = await warmed();
    azure.fail({
      path: /\/refs\?/,
      respond: { extraHeaders: { "retry-after": "0.2", "x-ratelimit-delay": "0.5" } },
    });
    const started = Date.now();
    await provider.sourceControl.getTag("v1.0.0", live());
    await provider.sourceControl.getTag("v1.0.0", live());
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("parses Retry-After seconds, HTTP dates and X-RateLimit-Reset", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs({ "retry-after": "2" }, now)).toBe(2000);
    expect(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, now)).toBe(5000);
    expect(
      retryAfterMs(
        { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 7) },
        now,
      ),
    ).toBe(7000);
    expect(
      retryAfterMs(
        { "x-ratelimit-remaining": "10", "x-ratelimit-reset": String(now / 1000 + 7) },
        now,
      ),
    ).toBeUndefined();
    const throttle = new AzureThrottle(1000);
    throttle.observe({ "retry-after": "3600" }, Date.now());
    expect((throttle as unknown as { resumeAt: number }).resumeAt - Date.now()).toBeLessThanOrEqual(
      1000,
    );
  });
});

describe("Azure DevOps failures", () => {
  it("does not repeat a write after a 500 (it may have happened), but does after a 429", async () => {
    const { emulator: azure, s, provider } = await warmed();
    azure.fail({ method: "POST", path: /annotatedTags/, respond: { status: 500 } });
    const error = (
      await provider.sourceControl.createAnnotatedTag(
        { name: "v2", sha: s.toSha, message: "v2" },
        live(),
      )
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("unavailable");
    expect(attempts(azure, /annotatedTags/)).toBe(1);
    azure.fail({
      method: "POST",
      path: /annotatedTags/,
      respond: { status: 429, headers: { "retry-after": "0" } },
    });
    expect(
      (
        await provider.sourceControl.createAnnotatedTag(
          { name: "v2", sha: s.toSha, message: "v2" },
          live(),
        )
      ).isOk(),
    ).toBe(true);
  });

  it("stops at once on 401 and names the token variable, never the token", async () => {
    const {
      emulator: azure,
      s,
      provider: { ci },
    } = await seeded({
      token: "wrong-secret-pat-value",
      tokenEnv: "AZURE_DEVOPS_TOKEN",
      transport: { retryBaseDelayMs: 1 },
    });
    const error = (await ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", status: 401 });
    expect(error.message).toContain("AZURE_DEVOPS_TOKEN");
    expect(error.vendorMessage).toContain("TF400813");
    // The client's location lookup retries by itself (azure-devops-node-api forces it); no more than that.
    expect(azure.requests.length).toBeLessThanOrEqual(1);
    const serialized = JSON.stringify({ ...error.toJSON(), d: error.describe() });
    expect(serialized).not.toContain("wrong-secret-pat-value");
    expect(serialized).not.toContain(Buffer.from(":wrong-secret-pat-value").toString("base64"));
  });

  it("stops at once on 403 and names the scope and the project", async () => {
    const { emulator: azure, s, provider } = await warmed();
    azure.fail({
      path: /\/_apis\/build\/builds\?/,
      respond: {
        status: 403,
        body: {
          message: "TF400813: The user is not authorized to access this resource.",
          typeKey: "UnauthorizedRequestException",
        },
      },
    });
    const error = (await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "auth", status: 403 });
    expect(error.message).toContain("Build (Read)");
    expect(error.message).toContain("project shop");
    expect(attempts(azure, /\/_apis\/build\/builds\?/)).toBe(1);
  });

  it("names a project or repository that does not exist", async () => {
    const {
      emulator: azure,
      s,
      provider: { ci },
    } = await seeded({ repository: "nope" });
    const error = (await ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "not_found", field: "with.repository" });
    expect(error.message).toContain("nope");
    const wrongOrg = createAzureDevOpsProvider({
      orgUrl: `${azure.orgUrl}-other`,
      project: "shop",
      token: azure.token,
      transport: { maxRetries: 0 },
    });
    expect((await wrongOrg.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr()).toMatchObject({
      kind: "not_found",
      field: "with.org_url",
    });
  });

  it("reports malformed JSON as invalid_response, not as 'not found'", async () => {
    const { emulator: azure, s, provider } = await warmed();
    azure.fail({ path: /\/commits\/[0-9a-f]{40}$/, respond: { rawBody: '{"commitId": "abc",' } });
    expect((await provider.sourceControl.getCommit(s.toSha, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
    azure.fail({
      path: /\/_apis\/build\/builds\?/,
      respond: { status: 200, body: { count: 1, value: [{ id: "x" }] } },
    });
    expect((await provider.ci.listChecks(s.greenSha, live()))._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
  });
});

describe("Azure DevOps timeouts and cancellation", () => {
  itSendsNothingWhenAborted(warmed, ({ s, provider }, signal) => [
    provider.ci.listChecks(s.greenSha, { signal }),
    provider.sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, { signal }),
    provider.approvals.listSignOffs(
      { service: "shop", environment: "production", version: "v1", sha: s.toSha },
      { signal },
    ),
  ]);
});

describeHttpTransportConformance("azure devops", async (settings) => {
  const { emulator: azure, s, provider } = await warmed({ transport: settings });
  return transportUnderTest(
    azure,
    (signal) => provider.ci.listChecks(s.greenSha, { signal }),
    /\/_apis\/build\/builds\?/,
  );
});
