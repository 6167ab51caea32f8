import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { describeNeeding } from "@shipgate/core/testing";
import { liveCall as live, testDeployTarget as target } from "@shipgate/deploy-kubernetes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHelmDeployer, type HelmDeployerOptions } from "./helm-deployer.js";
import { redactCredentials } from "./run-helm.js";
import {
  HELM_TEST_CONTEXT,
  HELM_TEST_NAMESPACE,
  type HelmTestCluster,
  helmTestsUnavailable,
  startHelmTestCluster,
} from "./testing/helm-test-cluster.js";
import { helmTestDeployerOptions } from "./testing/helm-test-deployer.js";

const run = promisify(execFile);
const chart = fileURLToPath(new URL("./__fixtures__/charts/shop-values-canary", import.meta.url));
const unavailable = helmTestsUnavailable();

describe("redactCredentials", () => {
  it("hides passwords given as flags and credentials inside URLs", () => {
    expect(
      redactCredentials(
        "helm pull oci://robot:s3cr3t@registry.example.com/charts/shop --password hunter2 --username robot",
      ),
    ).toBe(
      "helm pull oci://***:***@registry.example.com/charts/shop --password *** --username robot",
    );
    expect(redactCredentials("helm repo add x https://u:p@charts.example.com --password=pw")).toBe(
      "helm repo add x https://***:***@charts.example.com --password=***",
    );
  });
});

describeNeeding("helm preflight with the real helm", unavailable, () => {
  let c: HelmTestCluster;
  const options = (extra: Partial<HelmDeployerOptions> = {}) =>
    helmTestDeployerOptions(c, chart, extra);
  beforeAll(async () => {
    c = await startHelmTestCluster();
    await c.helm("upgrade", "--install", "stuck", chart, "--wait", "--timeout", "30s");
  });
  afterAll(async () => {
    await c.close();
  });

  it("quotes helm verbatim when the chart cannot be resolved", async () => {
    const d = createHelmDeployer(options({ chart: "./charts/nope" }));
    const report = (await d.preflight(target("stuck", "v2.0.0"), live()))._unsafeUnwrap();
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(
      /^helm template of \.\/charts\/nope failed: Error: path "\.\/charts\/nope" not found$/,
    );
  });

  it("refuses a values path the chart has no switch for", async () => {
    const d = createHelmDeployer(
      options({
        mode: {
          kind: "values",
          enabledPath: "canary.on",
          weightPath: "canary.weight",
          imageTagPath: "canaryTag",
        },
      }),
    );
    const report = (await d.preflight(target("stuck", "v2.0.0"), live()))._unsafeUnwrap();
    expect(report.problems).toEqual([
      "The chart renders no image tagged v2.0.0 with canary.on=true and canaryTag=v2.0.0: set the canary values paths to the chart's own switch",
    ]);
  });

  it("installs a missing release only when install is allowed", async () => {
    const refused = (
      await createHelmDeployer(options()).preflight(target("fresh", "v1.0.0"), live())
    )._unsafeUnwrap();
    expect(refused.problems[0]).toBe(
      `Release "fresh" not found in namespace "${HELM_TEST_NAMESPACE}" (context "${HELM_TEST_CONTEXT}"); install it first, or set install: true`,
    );
    const d = createHelmDeployer(options({ install: true }));
    const allowed = (await d.preflight(target("fresh", "v1.0.0"), live()))._unsafeUnwrap();
    expect(allowed).toMatchObject({ ok: true, stableVersion: null });
    (await d.start(target("fresh", "v1.0.0"), live()))._unsafeUnwrap();
    const status = (await d.status(target("fresh", "v1.0.0"), live()))._unsafeUnwrap();
    expect(status).toMatchObject({ phase: "healthy", stableVersion: "v1.0.0", canaryWeight: 0 });
  });

  it("prepares: helm template checked as manifests, and a diff of objects against the release", async () => {
    const prepareStuck = async (d: ReturnType<typeof createHelmDeployer>) =>
      (await d.preparation(target("stuck", "v2.0.0"), live().signal))._unsafeUnwrap();
    const finding = (subject: string, passed: boolean, blocking: boolean, message: string) => ({
      check: "manifest",
      subject,
      passed,
      blocking,
      message,
    });
    expect(await prepareStuck(createHelmDeployer(options()))).toEqual([
      finding(
        "helm template stuck",
        true,
        true,
        "manifest helm template stuck: 3 objects (ConfigMap/stuck-config, Service/stuck, Deployment/stuck)",
      ),
      finding(
        "helm diff stuck",
        true,
        false,
        `chart ${chart} at v2.0.0 vs release "stuck": ~ Deployment/stuck; = ConfigMap/stuck-config; = Service/stuck`,
      ),
    ]);
    expect(await prepareStuck(createHelmDeployer(options({ chart: "./charts/nope" })))).toEqual([
      finding(
        "helm template stuck",
        false,
        true,
        'manifest helm template stuck: Error: path "./charts/nope" not found',
      ),
    ]);
  });

  it("names the helm command that clears a release stuck in pending-upgrade, and that command clears it", async () => {
    // A release whose upgrade was interrupted: helm left revision 2 in pending-upgrade.
    const first = c.emulator.get("secrets", HELM_TEST_NAMESPACE, "sh.helm.release.v1.stuck.v1")!;
    const encoded = Buffer.from((first.data as { release: string }).release, "base64").toString();
    const release = JSON.parse(gunzipSync(Buffer.from(encoded, "base64")).toString());
    release.version = 2;
    release.info.status = "pending-upgrade";
    release.info.description = "Preparing upgrade";
    c.emulator.apply("secrets", {
      apiVersion: "v1",
      kind: "Secret",
      type: "helm.sh/release.v1",
      metadata: {
        name: "sh.helm.release.v1.stuck.v2",
        namespace: HELM_TEST_NAMESPACE,
        labels: { name: "stuck", owner: "helm", status: "pending-upgrade", version: "2" },
      },
      data: {
        release: Buffer.from(gzipSync(JSON.stringify(release)).toString("base64")).toString(
          "base64",
        ),
      },
    });
    const d = createHelmDeployer(options());
    const report = (await d.preflight(target("stuck", "v2.0.0"), live()))._unsafeUnwrap();
    expect(report.ok).toBe(false);
    const flags = `--kube-context ${HELM_TEST_CONTEXT} --namespace ${HELM_TEST_NAMESPACE} --kubeconfig ${c.kubeconfigPath}`;
    expect(report.problems).toEqual([
      `Release "stuck" is stuck in pending-upgrade (revision 2): helm refuses another operation until it is cleared with: helm rollback stuck 1 ${flags}`,
    ]);
    const upgrade = await d.start(target("stuck", "v2.0.0"), live());
    expect(upgrade._unsafeUnwrapErr()).toMatchObject({ kind: "conflict" });
    expect(upgrade._unsafeUnwrapErr().vendorMessage).toMatch(
      /another operation \(install\/upgrade\/rollback\) is in progress/,
    );
    // Run the command exactly as given.
    const command = report.problems[0]!.split("cleared with: ")[1]!.split(" ");
    await run(c.helmBinary, command.slice(1), { env: { ...process.env, ...c.env } });
    const cleared = (await d.preflight(target("stuck", "v2.0.0"), live()))._unsafeUnwrap();
    expect(cleared.problems).toEqual([]);
    expect(cleared.facts.status).toBe("deployed");
    expect(c.emulator.unsupported).toEqual([]);
  });
});
