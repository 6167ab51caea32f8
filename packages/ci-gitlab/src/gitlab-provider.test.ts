import { instantiateProvider } from "@shipgate/core";
import { expectApiTagSigningRefused, expectUnsetTokenRefused } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gitlabOptionsSchema, shipgateProvider } from "./gitlab-provider.js";
import { type GitLabEmulator, startGitLabEmulator } from "./testing/gitlab-emulator.js";
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

  it("refuses sign: the tags it creates through the API cannot be signed", () => {
    expectApiTagSigningRefused(
      instantiateProvider(
        shipgateProvider,
        { project: "acme/shop", sign: "gpg" },
        { env: {}, cwd: "/" },
      ),
      "GitLab",
    );
  });

  it("fails, without throwing, when the token variable is not set", () => {
    expectUnsetTokenRefused(
      instantiateProvider(
        shipgateProvider,
        { project: "a/b", token_env: "MY_GL" },
        { env: {}, cwd: "/" },
      ),
      "MY_GL",
    );
  });
});

describe("GitLab provider from config", () => {
  let gitlab: GitLabEmulator;
  beforeAll(async () => {
    gitlab = await startGitLabEmulator();
    seedGitLabReleaseScenario(gitlab);
  });
  afterAll(() => gitlab.close());

  it("builds all four parts and reads the token from the named variable", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { project: "acme/shop", base_url: gitlab.url, token_env: "SHIPGATE_TEST_GL" },
      { env: { SHIPGATE_TEST_GL: gitlab.token }, cwd: "/" },
    )._unsafeUnwrap();
    expect(Object.keys(parts).sort()).toEqual(["approvals", "ci", "incidents", "sourceControl"]);
    const tag = await parts.sourceControl!.getTag("v1.0.0", {
      signal: new AbortController().signal,
    });
    expect(tag._unsafeUnwrap()?.annotated).toBe(true);
  });
});
