import { instantiateProvider } from "@shipgate/core";
import { expectApiTagSigningRefused, expectUnsetTokenRefused } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { gitHubOptionsSchema, shipgateProvider } from "./github-provider.js";

const context = (env: Record<string, string | undefined>) => ({ env, cwd: "/tmp" });

describe("shipgateProvider options", () => {
  it("fills GitHub's defaults", () => {
    expect(gitHubOptionsSchema.parse({ owner: "acme", repo: "shop" })).toEqual({
      owner: "acme",
      repo: "shop",
      release_branch: "main",
      base_url: "https://api.github.com",
      token_env: "GITHUB_TOKEN",
      request_timeout_ms: 30_000,
      max_retries: 3,
      max_rate_limit_wait_ms: 120_000,
      approval_source: "pull_request_reviews",
      incident_labels: ["incident", "shipgate"],
    });
  });

  it("accepts a GitHub Enterprise Server base URL", () => {
    const parsed = gitHubOptionsSchema.parse({
      owner: "acme",
      repo: "shop",
      base_url: "https://ghe.example.com/api/v3",
    });
    expect(parsed.base_url).toBe("https://ghe.example.com/api/v3");
  });

  it("rejects unknown keys, an inline token and a bad URL, naming the field", () => {
    const unknown = instantiateProvider(
      shipgateProvider,
      { owner: "a", repo: "b", tokn_env: "X" },
      context({}),
    );
    expect(unknown._unsafeUnwrapErr().kind).toBe("invalid_input");
    expect(unknown._unsafeUnwrapErr().describe()).toContain("tokn_env");
    const inline = instantiateProvider(
      shipgateProvider,
      { owner: "a", repo: "b", token_env: "ghp_abc-def" },
      context({}),
    );
    expect(inline._unsafeUnwrapErr().describe()).toContain("token_env");
    const url = instantiateProvider(
      shipgateProvider,
      { owner: "a", repo: "b", base_url: "nope" },
      context({}),
    );
    expect(url._unsafeUnwrapErr().describe()).toContain("base_url");
  });

  it("refuses sign: the tags it creates through the API cannot be signed", () => {
    expectApiTagSigningRefused(
      instantiateProvider(shipgateProvider, { owner: "a", repo: "b", sign: "ssh" }, context({})),
      "GitHub",
    );
  });

  it("fails, without throwing, when the token's environment variable is not set", () => {
    expectUnsetTokenRefused(
      instantiateProvider(
        shipgateProvider,
        { owner: "acme", repo: "shop", token_env: "SHIPGATE_GH_TOKEN" },
        context({}),
      ),
      "SHIPGATE_GH_TOKEN",
    );
  });

  it("creates source control, CI, approvals and incidents from the environment", () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { owner: "acme", repo: "shop" },
      context({ GITHUB_TOKEN: "test-token-not-real" }),
    )._unsafeUnwrap();
    expect(Object.keys(parts).sort()).toEqual(["approvals", "ci", "incidents", "sourceControl"]);
    expect(parts.approvals?.name).toBe("github-pull-request-reviews");
    expect(JSON.stringify(Object.keys(parts))).not.toContain("test-token-not-real");
  });
});
