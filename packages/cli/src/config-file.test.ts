import { describe, expect, it } from "vitest";
import { checkConfigText } from "./config-file.js";
import { formatProblem } from "./config-problem.js";

const lines = (text: string) => checkConfigText(text).problems.map(formatProblem);

describe("checkConfigText", () => {
  it("parses a full config and fills defaults", () => {
    const checked = checkConfigText(`
release: { service: checkout, environment: production }
ci: { use: "@shipgate/ci-github", with: { owner: acme, repo: shop, token_env: GITHUB_TOKEN } }
deployer: { use: "@shipgate/deploy-kubernetes" }
notifiers:
  - use: "@shipgate/notify-slack"
    with: { webhook_url_env: SLACK_WEBHOOK_URL }
`);
    expect(checked.problems).toEqual([]);
    expect(checked.config?.artifacts_dir).toBe(".");
    expect(checked.config?.deployer).toEqual({ use: "@shipgate/deploy-kubernetes", with: {} });
    expect(checked.config?.notifiers[0]?.with).toEqual({ webhook_url_env: "SLACK_WEBHOOK_URL" });
    expect(checked.config?.incidents).toEqual([]);
  });

  it("reports every problem at once, unknown keys with a did-you-mean", () => {
    const problems = lines(`
deployr: { use: x }
ci: { use: "@shipgate/ci-github", wiht: {} }
notifiers: { use: y }
artifacts_dir: 3
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deployr: unknown key \(did you mean "deployer"\?\)/),
        expect.stringMatching(/^ci\.wiht: unknown key \(did you mean "with"\?\)/),
        expect.stringMatching(/^notifiers: /),
        expect.stringMatching(/^artifacts_dir: /),
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it("says where a YAML syntax error is", () => {
    const problems = lines("release:\n  service: [unclosed\n");
    expect(problems[0]).toMatch(/^line \d+, column \d+: YAML syntax error/);
  });

  it("rejects a config that is not a mapping", () => {
    expect(lines("- a\n- b\n")[0]).toContain("must be a YAML mapping");
  });

  it("rejects inline secrets alongside other problems", () => {
    const problems = lines(`
ci: { use: "@shipgate/ci-github", with: { token: "ghp_${"a".repeat(36)}" } }
lock: { use: file, extra: 1 }
`);
    expect(
      problems.some((p) => p.startsWith("ci.with.token: holds an inline secret (a GitHub token)")),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith("lock.extra: unknown key"))).toBe(true);
  });
});
