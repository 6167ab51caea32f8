// The layering check (`pnpm lint:layers`, part of `pnpm lint`) holds on the tree, and each
// of its rules fails when broken: a throwaway tree with one bad import per rule is cruised
// with the same configuration.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const config = join(root, ".dependency-cruiser.cjs");
const depcruise = join(root, "node_modules", ".bin", "depcruise");

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

function cruise(cwd: string): Violation[] {
  const run = spawnSync(depcruise, ["packages", "--config", config, "--output-type", "json"], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (!run.stdout) throw new Error(`depcruise failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const scratch = mkdtempSync(join(tmpdir(), "shipgate-layering-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), text);
  }
}

describe("the layering check", () => {
  it("passes on the packages as they are", { timeout: 120_000 }, () => {
    expect(cruise(root).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  });

  it("fails on each kind of bad import, naming the rule and the files", {
    timeout: 120_000,
  }, () => {
    write({
      "tsconfig.base.json":
        '{ "compilerOptions": { "module": "ESNext", "moduleResolution": "Bundler" } }',
      "packages/core/src/errors/error.ts": "export const e = 1;\n",
      "packages/core/src/model/spec.ts":
        'import { e } from "../errors/error.js";\nexport const m = e;\n',
      "packages/core/src/contracts/contract.ts":
        'import { m } from "../model/spec.js";\nexport const c = m;\n',
      "packages/core/src/release/step.ts":
        'import { m } from "../model/spec.js";\nexport const r = m;\n',
      "packages/core/src/artifacts/report.ts":
        'import { r } from "../release/step.js";\nexport const a = r;\n',
      "packages/core/src/util/helper.ts":
        'import { k } from "../../../cli/src/kit.js";\nexport const u = k;\n',
      "packages/cli/src/kit.ts": "export const k = 1;\n",
      "packages/ci-gitlab/src/gitlab-client.ts": "export const g = 1;\n",
      "packages/ci-azure/src/azure-client.ts":
        'import { g } from "../../ci-gitlab/src/gitlab-client.js";\nexport const z = g;\n',
      "packages/notify-slack/src/testing/slack-emulator.ts": "export const emu = 1;\n",
      "packages/notify-slack/src/slack-notifier.ts":
        'import { emu } from "./testing/slack-emulator.js";\nexport const n = emu;\n',
      "packages/incident-pagerduty/src/first.ts":
        'import { two } from "./second.js";\nexport const one = () => two();\n',
      "packages/incident-pagerduty/src/second.ts":
        'import { one } from "./first.js";\nexport const two = () => one();\n',
      "packages/ci-github/src/github-client.ts": "export const h = 1;\n",
      "packages/ci-github/src/github-emulator.ts":
        'import { h } from "./github-client.js";\nexport const fake = h;\n',
    });
    const found = cruise(scratch).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(found.sort()).toEqual(
      [
        "adapters-import-only-core: packages/ci-azure/src/azure-client.ts → packages/ci-gitlab/src/gitlab-client.ts",
        "contracts-import-only-errors: packages/core/src/contracts/contract.ts → packages/core/src/model/spec.ts",
        "core-artifacts-imports-only-below: packages/core/src/artifacts/report.ts → packages/core/src/release/step.ts",
        "core-imports-no-package: packages/core/src/util/helper.ts → packages/cli/src/kit.ts",
        "no-circular: packages/incident-pagerduty/src/first.ts → packages/incident-pagerduty/src/second.ts",
        "product-code-imports-no-test-code: packages/notify-slack/src/slack-notifier.ts → packages/notify-slack/src/testing/slack-emulator.ts",
        "test-support-lives-under-testing: packages/ci-github/src/github-emulator.ts → packages/ci-github/src/github-client.ts",
      ].sort(),
    );
  });

  it("drew the graphs in README.md and docs/architecture.md from the current tree", {
    timeout: 120_000,
  }, () => {
    const run = spawnSync(
      process.execPath,
      [join(root, "scripts", "architecture-graph.mjs"), "--check"],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });
});
