import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instantiateProvider } from "@shipgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipgateProvider } from "./helm-provider.js";

const packages = join(import.meta.dirname, "../..");
const kubeconfigYaml = [
  "apiVersion: v1",
  "kind: Config",
  "clusters: [{ name: prod, cluster: { server: 'https://127.0.0.1:6443' } }]",
  "users: [{ name: ci, user: { token: test-token-not-real } }]",
  "contexts: [{ name: prod-eu-1, context: { cluster: prod, user: ci, namespace: shop } }]",
  "current-context: prod-eu-1",
].join("\n");

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipgate-helm-provider-"));
  await writeFile(join(dir, "kubeconfig.yaml"), kubeconfigYaml);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the helm provider's options", () => {
  const create = (raw: unknown) =>
    instantiateProvider(shipgateProvider, raw, { env: {}, cwd: dir });

  it("builds a values-switch deployer by default, with its preparation checks", () => {
    const parts = create({
      chart: "./charts/shop",
      context: "prod-eu-1",
      namespace: "shop",
      kubeconfig: "kubeconfig.yaml",
    })._unsafeUnwrap();
    expect(parts.deployer?.name).toBe(
      "@shipgate/deploy-helm (values switch (canary.enabled, canary.weight, canary.image.tag))",
    );
    expect(typeof parts.preparation).toBe("function");
  });

  it("builds the Argo Rollout mode", () => {
    const parts = create({
      chart: "oci://registry.example.com/charts/shop",
      chart_version: "1.2.3",
      context: "prod-eu-1",
      namespace: "shop",
      kubeconfig: "kubeconfig.yaml",
      canary: { mode: "rollout", name: "{{release}}-web", canary_steps: [10, 50, 100] },
    })._unsafeUnwrap();
    expect(parts.deployer?.name).toBe('@shipgate/deploy-helm (Argo Rollout "{{release}}-web")');
  });

  it("names the field of every problem", () => {
    const missing = create({ chart: "./c", namespace: "shop" })._unsafeUnwrapErr();
    expect(missing.kind).toBe("invalid_input");
    expect(missing.field).toBe("with.context");
    // What a local chart in prod-eu-1's namespace shop refuses with `extra`.
    const problem = (extra: Record<string, unknown>) =>
      create({
        chart: "./c",
        context: "prod-eu-1",
        namespace: "shop",
        ...extra,
      })._unsafeUnwrapErr();
    expect(problem({ atomic: true }).describe()).toContain("atomic");
    expect(problem({ image_tag_path: "image..tag" }).field).toBe("with.image_tag_path");
    const inCluster = { kubeconfig: "kubeconfig.yaml" };
    expect(problem({ ...inCluster, chart: "oci://registry.example.com/charts/shop" }).field).toBe(
      "with.chart_version",
    );
    const context = problem({ ...inCluster, context: "prod-us-1" });
    expect(context.field).toBe("with.context");
    expect(context.hint).toContain("prod-eu-1");
  });
});

// The built CLI loads the package by name from the config's directory, as after an install.
const bin = join(packages, "cli/dist/bin.js");
const built = ["cli", "core", "deploy-kubernetes", "deploy-helm", "ci-github", "metrics-prometheus"]
  .map((p) => join(packages, p, "dist/index.js"))
  .every((f) => existsSync(f));
if (!built && process.env.SHIPGATE_REQUIRE_SERVERS === "1") {
  it("needs the built packages (pnpm build) for `shipgate config validate`", () => {
    throw new Error("the packages are not built (run pnpm build)");
  });
}

describe.skipIf(!built)(
  `shipgate config validate with @shipgate/deploy-helm${built ? "" : " — skipped: the packages are not built (pnpm build)"}`,
  () => {
    it("loads the helm deployer from shipgate.yaml and checks its options", async () => {
      const modules = join(dir, "node_modules/@shipgate");
      await mkdir(modules, { recursive: true });
      for (const p of ["deploy-helm", "ci-github", "metrics-prometheus"]) {
        if (!existsSync(join(modules, p))) await symlink(join(packages, p), join(modules, p));
      }
      const config = (deployer: string) =>
        [
          "release: { service: shop, environment: production, slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 } }",
          'ci: { use: "@shipgate/ci-github", with: { owner: acme, repo: shop, token_env: GITHUB_TOKEN } }',
          'slo: { use: "@shipgate/metrics-prometheus", with: { url: "http://127.0.0.1:9090" } }',
          "deployer:",
          '  use: "@shipgate/deploy-helm"',
          `  with: ${deployer}`,
          "",
        ].join("\n");
      const validate = async (deployer: string) => {
        const file = join(dir, "shipgate.yaml");
        await writeFile(file, config(deployer));
        return new Promise<{ code: number; out: string }>((resolve) => {
          execFile(
            process.execPath,
            [bin, "config", "validate", "--config", file],
            {
              env: {
                ...process.env,
                NO_COLOR: "1",
                GITHUB_TOKEN: "test-token-not-real",
                KUBECONFIG: join(dir, "kubeconfig.yaml"),
              },
            },
            (error, stdout, stderr) =>
              resolve({ code: error ? Number(error.code) : 0, out: `${stdout}${stderr}` }),
          );
        });
      };
      const good = await validate(
        "{ chart: ./charts/shop, context: prod-eu-1, namespace: shop, canary: { mode: rollout } }",
      );
      expect(good.out).toContain("@shipgate/deploy-helm");
      expect(good.code).toBe(0);
      const bad = await validate(
        "{ chart: ./charts/shop, context: prod-eu-1, namespace: shop, canary: { mode: switch } }",
      );
      expect(bad.code).toBe(1);
      expect(bad.out).toContain("deployer.with.canary.mode");
    });
  },
);
