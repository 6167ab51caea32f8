import { describe, expect, it } from "vitest";
import { resolveCaptain } from "./captain.js";

describe("resolveCaptain", () => {
  it("prefers the release's captain, then the CI actor, then git's user.name", () => {
    const env = { GITHUB_ACTOR: "octocat", GITLAB_USER_LOGIN: "tanuki" };
    expect(resolveCaptain("alice", env, "Git User")).toBe("alice");
    expect(resolveCaptain(undefined, env, "Git User")).toBe("octocat");
    expect(resolveCaptain(undefined, { GITLAB_USER_LOGIN: "tanuki" }, null)).toBe("tanuki");
    expect(resolveCaptain(undefined, { BUILD_REQUESTEDFOR: "Ada Lovelace" }, "x")).toBe(
      "Ada Lovelace",
    );
    expect(resolveCaptain(undefined, { GITHUB_ACTOR: " " }, "Git User")).toBe("Git User");
    expect(resolveCaptain(undefined, {}, null)).toBeNull();
  });
});
