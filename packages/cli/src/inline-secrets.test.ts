import { describe, expect, it } from "vitest";
import { findInlineSecrets, isSecretKey, recogniseToken } from "./inline-secrets.js";

describe("isSecretKey", () => {
  it.each([
    [
      "recognises keys that hold a credential",
      true,
      [
        "token",
        "api_key",
        "apiKey",
        "client_secret",
        "password",
        "webhook_url",
        "routing_key",
        "accessToken",
      ],
    ],
    [
      "lets env-var names and ordinary keys through",
      false,
      [
        "token_env",
        "password_env",
        "webhook_url_env",
        "url",
        "owner",
        "required_secrets",
        "api_key_header",
        "max_query_errors",
      ],
    ],
  ] as const)("%s", (_title, secret, keys) => {
    for (const key of keys) expect(isSecretKey(key), key).toBe(secret);
  });
});

describe("recogniseToken", () => {
  it("knows vendor formats", () => {
    expect(recogniseToken(`ghp_${"a".repeat(36)}`)).toBe("a GitHub token");
    expect(recogniseToken(`glpat-${"x".repeat(20)}`)).toBe("a GitLab token");
    expect(recogniseToken("xoxb-1234567890-abcdefghij")).toBe("a Slack token");
    expect(recogniseToken("AKIAIOSFODNN7EXAMPLE")).toBe("an AWS access key");
    expect(recogniseToken("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX")).toBe(
      "a Slack webhook URL",
    );
    expect(recogniseToken("GITHUB_TOKEN")).toBeNull();
    expect(recogniseToken("https://prometheus:9090")).toBeNull();
  });
});

describe("findInlineSecrets", () => {
  it("names the key, suggests `<key>_env`, and never repeats the value", () => {
    const token = `ghp_${"Z".repeat(36)}`;
    const problems = findInlineSecrets({
      ci: { use: "@shipgate/ci-github", with: { owner: "acme", token } },
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.key).toBe("ci.with.token");
    expect(problems[0]!.message).toContain("GitHub token");
    expect(problems[0]!.hint).toContain("token_env: GITHUB_TOKEN");
    expect(JSON.stringify(problems)).not.toContain(token);
  });
  it("catches a token pasted into a *_env key and one in a list", () => {
    const problems = findInlineSecrets({
      notifiers: [
        { use: "@shipgate/notify-slack", with: { token_env: "xoxb-1234567890-abcdefghij" } },
      ],
    });
    expect(problems.map((p) => p.key)).toEqual(["notifiers[0].with.token_env"]);
    expect(problems[0]!.message).toContain("not the name of an environment variable");
  });
  it("accepts secrets named by environment variable", () => {
    expect(
      findInlineSecrets({
        ci: { with: { token_env: "GITHUB_TOKEN" } },
        slo: { with: { basic_auth: { username: "ops", password_env: "PROM_PASSWORD" } } },
        release: { preparation: { required_secrets: ["DB_PASSWORD"] } },
      }),
    ).toEqual([]);
  });
});
