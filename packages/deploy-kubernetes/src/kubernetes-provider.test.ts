import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instantiateProvider, type ProviderContext } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { kubernetesOptionsSchema, shipgateProvider } from "./kubernetes-provider.js";
import {
  eventually,
  rolloutFixture,
  sharedTestCluster,
  TEST_NAMESPACE,
} from "./testing/kube-test-cluster.js";

const base = {
  context: "emulator",
  namespace: TEST_NAMESPACE,
  image_repository: "registry.example.com/acme/shop",
};

describe("provider options", () => {
  it("fills the defaults", () => {
    expect(kubernetesOptionsSchema.parse(base)).toEqual({
      ...base,
      kind: "rollout",
      name: "{{service}}",
      canary_steps: [5, 25, 100],
      canary_suffix: "-canary",
      timeouts: { step_seconds: 600, request_seconds: 30 },
      retries: 3,
      lease: { enabled: true, duration_seconds: 60, name_prefix: "shipgate-release-" },
    });
  });

  it("requires context and namespace by name, and names the field at fault", () => {
    const ctx: ProviderContext = { env: {}, cwd: "/" };
    const missing = instantiateProvider(shipgateProvider, { image_repository: "r.io/a" }, ctx);
    expect(missing._unsafeUnwrapErr().kind).toBe("invalid_input");
    expect(missing._unsafeUnwrapErr().details?.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^with\.context: /),
        expect.stringMatching(/^with\.namespace: /),
      ]),
    );
  });

  it("rejects bad image settings, bad weights and unknown keys", () => {
    const problems = (raw: unknown) => {
      const parsed = kubernetesOptionsSchema.safeParse(raw);
      return parsed.success
        ? []
        : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(problems({ context: "c", namespace: "n" })).toEqual([
      "image_repository: set exactly one of image_repository or image_template",
    ]);
    expect(problems({ ...base, image_template: "r.io/a:{{version}}" })).toEqual([
      "image_repository: set exactly one of image_repository or image_template",
    ]);
    expect(problems({ context: "c", namespace: "n", image_template: "r.io/a:latest" })).toEqual([
      "image_template: image_template must contain {{version}}",
    ]);
    expect(
      problems({ context: "c", namespace: "n", image_template: "r.io/a:{{tag}}-{{version}}" })[0],
    ).toMatch(/unknown placeholder\(s\) \{\{tag\}\}/);
    expect(problems({ ...base, image_repository: "Registry.example.com/Acme" })[0]).toMatch(
      /must be lowercase/,
    );
    expect(problems({ ...base, canary_steps: [25, 5, 100] })[0]).toMatch(/strictly increasing/);
    expect(problems({ ...base, namespace: "Shop_Prod" })[0]).toMatch(/^namespace: /);
    expect(problems({ ...base, kubeconfig_path: "x" })[0]).toMatch(/Unrecognized key/);
  });
});

describe("provider against the emulator", () => {
  let cwd: string;
  sharedTestCluster({
    seed: async (c) => {
      cwd = mkdtempSync(join(tmpdir(), "shipgate-provider-"));
      writeFileSync(join(cwd, "kubeconfig.yaml"), c.emulator.kubeconfigYaml("default"));
      c.emulator.apply(
        "rollouts",
        rolloutFixture({ name: "shop", image: "registry.example.com/acme/shop:v1.3.2" }),
      );
      await eventually(
        () => c.emulator.get("rollouts", TEST_NAMESPACE, "shop")?.status?.phase === "Healthy",
      );
    },
  });
  const ctx = (): ProviderContext => ({ env: {}, cwd });

  it("builds a deployer and a Lease lock from a kubeconfig path relative to cwd, in the named namespace", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { ...base, kubeconfig: "kubeconfig.yaml" },
      ctx(),
    )._unsafeUnwrap();
    expect(parts.deployer?.name).toMatch(/Argo Rollout/);
    expect(parts.lock?.name).toMatch(/Lease/);
    const report = (
      await parts.deployer!.preflight(
        { service: "shop", environment: "production", version: "v1.4.0", sha: "a".repeat(40) },
        { signal: new AbortController().signal },
      )
    )._unsafeUnwrap();
    // the kubeconfig's own namespace is "default": the explicit namespace wins
    expect(report).toMatchObject({
      ok: true,
      stableVersion: "v1.3.2",
      facts: { namespace: TEST_NAMESPACE, context: "emulator" },
    });
  });

  it("leaves the lock out when lease.enabled is false, and builds the Deployment deployer for kind deployment", () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { ...base, kubeconfig: "kubeconfig.yaml", kind: "deployment", lease: { enabled: false } },
      ctx(),
    )._unsafeUnwrap();
    expect(parts.lock).toBeUndefined();
    expect(parts.deployer?.name).toMatch(/Deployment canary/);
  });

  it("fails on an unknown context (listing the known ones) and an unreadable kubeconfig", () => {
    const wrong = instantiateProvider(
      shipgateProvider,
      { ...base, context: "prod", kubeconfig: "kubeconfig.yaml" },
      ctx(),
    );
    expect(wrong._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.context",
      hint: "Known contexts: emulator",
    });
    const missing = instantiateProvider(
      shipgateProvider,
      { ...base, kubeconfig: "nope.yaml" },
      ctx(),
    );
    expect(missing._unsafeUnwrapErr()).toMatchObject({
      kind: "invalid_input",
      field: "with.kubeconfig",
    });
    expect(missing._unsafeUnwrapErr().message).not.toMatch(/test-token-not-real/);
  });
});
