import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
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

  it("loads every adapter it names and each one accepts its options (the built `shipgate config validate`)", async () => {
    const bin = join(root, "../../packages/cli/dist/bin.js");
    // The Kubernetes adapter checks that the named context exists; this one points at loopback.
    const dir = await mkdtemp(join(tmpdir(), "shipgate-gha-"));
    const kubeconfig = join(dir, "kubeconfig.yaml");
    await writeFile(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: prod, cluster: { server: 'https://127.0.0.1:6443' } }]",
        "users: [{ name: ci, user: { token: test-token-not-real } }]",
        "contexts: [{ name: prod-eu-1, context: { cluster: prod, user: ci, namespace: checkout } }]",
        "current-context: prod-eu-1",
      ].join("\n"),
    );
    const env = {
      ...process.env,
      KUBECONFIG: kubeconfig,
      NO_COLOR: "1",
      GITHUB_TOKEN: "test-token-not-real",
      PROMETHEUS_TOKEN: "test-token-not-real",
      PAGERDUTY_ROUTING_KEY: "R0123456789abcdef0123456789abcde",
      SLACK_WEBHOOK_URL: "http://127.0.0.1:9/services/T000/B000/not-real",
    };
    const run = (extraEnv: Record<string, string | undefined>) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          process.execPath,
          [bin, "config", "validate", "--config", join(root, "shipgate.yaml")],
          { env: { ...env, ...extraEnv } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code) : 0, out: `${stdout}${stderr}` }),
        );
      });
    const good = await run({});
    expect(good.out).not.toContain("error");
    expect(good.code).toBe(0);
    // And it does check: without the Slack webhook variable, the Slack adapter itself says so.
    const missing = await run({ SLACK_WEBHOOK_URL: undefined });
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("notifiers[0].with.webhook_url_env");
  });

  it("runs `shipgate recover --watchdog` on a schedule, in a group of its own, on a lock every runner sees", async () => {
    const workflow = parse(await readFile(join(root, ".github/workflows/watchdog.yml"), "utf8"));
    const release = parse(await readFile(join(root, ".github/workflows/release.yml"), "utf8"));
    expect(workflow.on.schedule[0].cron).toMatch(/^\*\/\d+ \* \* \* \*$/);
    const steps: Step[] = workflow.jobs.watchdog.steps;
    const recover = steps.find((s) => s.run?.includes("shipgate recover"));
    expect(recover?.run).toBe("npx shipgate recover --watchdog");
    // Every secret the config names: a recovery rolls back, files the incident, notifies.
    const text = await readFile(join(root, "shipgate.yaml"), "utf8");
    for (const [, name] of text.matchAll(/_env: ([A-Z_]+)/g))
      expect(recover?.env?.[name!]).toBe(`\${{ secrets.${name} }}`);
    // Never in the release's concurrency group (a queued run there replaces a pending one),
    // and it never needs to push anything.
    expect(workflow.concurrency.group).not.toBe(release.concurrency.group);
    expect(workflow.permissions.contents).toBe("read");
    // A dead runner's files die with it: the lock and journal must live where the next
    // runner looks, here a Lease in the cluster (the Kubernetes deployer's default lock).
    const config = parse(text);
    expect(config.lock).toEqual({ use: "@shipgate/deploy-kubernetes", with: config.deployer.with });
    expect(config.lock.with.lease?.enabled).not.toBe(false);
  });
});
