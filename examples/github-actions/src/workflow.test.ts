import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { checkConfigText, findInlineSecrets } from "@shipgate/cli";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = join(import.meta.dirname, "..");

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}

describe("the GitHub Actions example", () => {
  it("runs `shipgate release` with every secret passed by environment variable", async () => {
    const workflow = parse(await readFile(join(root, ".github/workflows/release.yml"), "utf8"));
    const steps: Step[] = workflow.jobs.release.steps;
    const release = steps.find((s) => s.run?.includes("shipgate release"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template
    expect(release?.run).toContain('--version "${{ inputs.version }}" --sha "${{ github.sha }}"');
    const env = release?.env ?? {};
    for (const name of [
      "GITHUB_TOKEN",
      "PROMETHEUS_TOKEN",
      "SLACK_WEBHOOK_URL",
      "PAGERDUTY_ROUTING_KEY",
    ]) {
      expect(env[name]).toBe(`\${{ secrets.${name} }}`);
    }
    // Full history for the changelog, and a concurrency group so releases do not overlap.
    expect(steps[0]).toMatchObject({ uses: "actions/checkout@v4", with: { "fetch-depth": 0 } });
    expect(workflow.concurrency["cancel-in-progress"]).toBe(false);
  });

  it("ships a shipgate.yaml the CLI accepts, naming every secret it needs in the workflow's env", async () => {
    const text = await readFile(join(root, "shipgate.yaml"), "utf8");
    const checked = checkConfigText(text);
    expect(checked.problems).toEqual([]);
    expect(findInlineSecrets(parse(text))).toEqual([]);
    const named = [...text.matchAll(/_env: ([A-Z_]+)/g)].map((m) => m[1]);
    const workflow = await readFile(join(root, ".github/workflows/release.yml"), "utf8");
    for (const variable of named)
      expect(workflow).toContain(`${variable}: \${{ secrets.${variable} }}`);
  });
});
