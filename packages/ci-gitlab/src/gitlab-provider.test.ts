import { instantiateProvider } from "@shipgate/core";
import {
  describeHostedProviderFromConfig,
  itRefusesSigningAndAMissingToken,
} from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { gitlabOptionsSchema, shipgateProvider } from "./gitlab-provider.js";
import { startGitLabEmulator } from "./testing/gitlab-emulator.js";
import { seedGitLabReleaseScenario } from "./testing/gitlab-test-scenario.js";

describe("GitLab provider options", () => {
  it("fills defaults for everything but the project", () => {
    expect(gitlabOptionsSchema.parse({ project: "acme/shop" })).toEqual({
      project: "acme/shop",
      release_branch: "main",
      base_url: "https://gitlab.com",
      token_env: "GITLAB_TOKEN",
      changes_details: "graphql",
      incident_labels: ["shipgate"],
      max_retries: 4,
      request_timeout_ms: 30_000,
    });
  });

  it("accepts a numeric project id and a self-managed URL pasted with /api/v4", () => {
    const parsed = gitlabOptionsSchema.parse({
      project: 42,
      base_url: "https://gitlab.example.com/api/v4/",
    });
    expect(parsed.project).toBe("42");
    expect(parsed.base_url).toBe("https://gitlab.example.com");
  });

  it("rejects unknown keys, inline tokens and non-http URLs, naming the field", () => {
    const unknownKey = instantiateProvider(
      shipgateProvider,
      { project: "a/b", token: "glpat-x" },
      { env: {}, cwd: "/" },
    );
    expect(unknownKey._unsafeUnwrapErr().kind).toBe("invalid_input");
    expect(unknownKey._unsafeUnwrapErr().describe()).toContain("token");
    const badEnv = instantiateProvider(
      shipgateProvider,
      { project: "a/b", token_env: "glpat-123" },
      { env: {}, cwd: "/" },
    );
    expect(badEnv._unsafeUnwrapErr().describe()).toContain("token_env");
    const badUrl = instantiateProvider(
      shipgateProvider,
      { project: "a/b", base_url: "ftp://x" },
      { env: {}, cwd: "/" },
    );
    expect(badUrl._unsafeUnwrapErr().describe()).toContain("base_url");
  });

  itRefusesSigningAndAMissingToken({
    provider: shipgateProvider,
    forge: "GitLab",
    signed: { project: "acme/shop", sign: "gpg" },
    unsetToken: { config: { project: "a/b", token_env: "MY_GL" }, variable: "MY_GL" },
  });
});

describeHostedProviderFromConfig("GitLab provider from config", shipgateProvider, async () => {
  const gitlab = await startGitLabEmulator();
  seedGitLabReleaseScenario(gitlab);
  return {
    config: { project: "acme/shop", base_url: gitlab.url, token_env: "SHIPGATE_TEST_GL" },
    env: { SHIPGATE_TEST_GL: gitlab.token },
    close: () => gitlab.close(),
  };
});
