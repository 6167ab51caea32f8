import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { describeNeeding } from "@shipgate/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createArgoRolloutDeployer } from "../argo-rollout-deployer.js";
import { createDeploymentCanaryDeployer } from "../deployment-canary-deployer.js";
import { makeKubeClients } from "../kube-clients.js";
import {
  liveCall as live,
  ROLLOUT_STEPS_5_25_100,
  testDeployTarget as target,
} from "./deploy-test-support.js";
import { type KubeEmulator, type KubeObject, startKubeEmulator } from "./kube-emulator.js";
import {
  deploymentFixture,
  eventually,
  rolloutFixture,
  TEST_NAMESPACE,
} from "./kube-test-cluster.js";
import { findOnPath, selfSignedLocalCertificate } from "./local-tls.js";

const run = promisify(execFile);
const kubectl = findOnPath("kubectl");
const openssl = findOnPath("openssl");

// A client nobody here wrote reads what the adapter wrote (and writes what the plugin would).
describeNeeding(
  "kubectl cross-check",
  kubectl ? null : "kubectl is not installed (not on PATH)",
  () => {
    let emulator: KubeEmulator;
    let dir: string;
    let kubeconfigPath: string;
    const k = async (...args: string[]) =>
      (
        await run(
          kubectl!,
          [
            "--kubeconfig",
            kubeconfigPath,
            "--cache-dir",
            join(dir, "cache"),
            "--request-timeout=5s",
            "-n",
            TEST_NAMESPACE,
            ...args,
          ],
          {
            env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfigPath },
            timeout: 20_000,
          },
        )
      ).stdout;
    const kJson = async (...args: string[]) =>
      JSON.parse(await k(...args, "-o", "json")) as KubeObject;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "shipgate-kubectl-"));
      // client-go never sends a bearer token over plain http, so serve TLS (self-signed,
      // insecure-skip-tls-verify) when openssl is there; else admit anonymous reads.
      let tls: { key: string; cert: string } | undefined;
      if (openssl) {
        tls = await selfSignedLocalCertificate(openssl, dir);
      }
      emulator = await startKubeEmulator({ tls, anonymousReads: !tls });
      kubeconfigPath = join(dir, "config");
      writeFileSync(kubeconfigPath, emulator.kubeconfigYaml(TEST_NAMESPACE));
    }, 30_000);
    afterAll(async () => {
      await emulator?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const clients = () => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return makeKubeClients(kc, "emulator", TEST_NAMESPACE, {
        requestTimeoutMs: 3_000,
        maxRetries: 1,
        retryBaseMs: 5,
      })._unsafeUnwrap();
    };
    const argoDeployer = () =>
      createArgoRolloutDeployer({
        clients: clients(),
        nameTemplate: "{{service}}",
        image: { repository: "registry.example.com/acme/shop" },
        canarySteps: [5, 25, 100],
        stepTimeoutMs: 5_000,
      });

    it("discovers the Rollout kind and reads the adapter's update and promote patches", async () => {
      emulator.apply(
        "rollouts",
        rolloutFixture({ name: "shop", image: "registry.example.com/acme/shop:v1.3.2" }),
      );
      await eventually(
        () => emulator.get("rollouts", TEST_NAMESPACE, "shop")?.status?.phase === "Healthy",
      );
      const d = argoDeployer();
      (await d.start(target("shop", "v1.4.0"), live()))._unsafeUnwrap();
      (await d.setWeight(target("shop", "v1.4.0"), 25, live()))._unsafeUnwrap();

      const ro = await kJson("get", "rollout", "shop");
      const spec = ro.spec as {
        template: { spec: { containers: { image: string }[] } };
        strategy: { canary: { steps: unknown[] } };
      };
      expect(ro.kind).toBe("Rollout");
      expect(spec.template.spec.containers[0]!.image).toBe("registry.example.com/acme/shop:v1.4.0");
      expect(spec.strategy.canary.steps).toEqual(ROLLOUT_STEPS_5_25_100);
      expect(ro.status).toMatchObject({
        currentStepIndex: 4,
        phase: "Paused",
        message: "CanaryPauseStep",
        pauseConditions: [{ reason: "CanaryPauseStep" }],
      });
      expect(ro.metadata.resourceVersion).toBe(
        emulator.get("rollouts", TEST_NAMESPACE, "shop")!.metadata.resourceVersion,
      );

      // the short name and the canary ReplicaSet by label, as `kubectl argo rollouts get` would list them
      expect((await k("get", "ro", "-o", "name")).trim()).toBe("rollout.argoproj.io/shop");
      const rs = await kJson(
        "get",
        "replicasets",
        "-l",
        `rollouts-pod-template-hash=${String(ro.status?.currentPodHash)}`,
      );
      const items = (rs as unknown as { items: { spec: { replicas: number } }[] }).items;
      expect(items.map((i) => i.spec.replicas)).toEqual([5]); // 25% of 20
    });

    it("a status patch sent by kubectl (what `kubectl argo rollouts abort` sends) is seen by the adapter", async (ctx) => {
      // `--subresource` is beta (on by default) from kubectl 1.27; older clients cannot send it.
      if (!(await k("patch", "--help")).includes("--subresource")) {
        ctx.skip("this kubectl has no `patch --subresource` (needs 1.27+)");
      }
      await k(
        "patch",
        "rollout",
        "shop",
        "--subresource=status",
        "--type=merge",
        "-p",
        '{"status":{"abort":true}}',
      );
      const d = argoDeployer();
      await eventually(
        () => emulator.get("rollouts", TEST_NAMESPACE, "shop")?.status?.phase === "Degraded",
      );
      expect((await d.status(target("shop", "v1.4.0"), live()))._unsafeUnwrap()).toMatchObject({
        phase: "aborted",
        canaryWeight: 0,
      });
      (await d.rollback(target("shop", "v1.4.0"), live()))._unsafeUnwrap();
      const ro = await kJson("get", "rollout", "shop");
      expect(ro.status).toMatchObject({ phase: "Healthy" });
      expect(ro.status?.stableRS).toBe(ro.status?.currentPodHash);
    });

    it("reads the canary Deployment and the stable Deployment's annotation", async () => {
      emulator.apply(
        "deployments",
        deploymentFixture({
          name: "web",
          image: "registry.example.com/acme/web:v1.3.2",
          replicas: 8,
        }),
      );
      await eventually(
        () =>
          (
            emulator.get("deployments", TEST_NAMESPACE, "web")?.status as
              | { availableReplicas?: number }
              | undefined
          )?.availableReplicas === 8,
      );
      const d = createDeploymentCanaryDeployer({
        clients: clients(),
        nameTemplate: "{{service}}",
        image: { template: "registry.example.com/acme/{{service}}:{{version}}" },
        stepTimeoutMs: 5_000,
      });
      (await d.start(target("web", "v1.4.0"), live()))._unsafeUnwrap();
      (await d.setWeight(target("web", "v1.4.0"), 25, live()))._unsafeUnwrap();
      const canary = await kJson("get", "deployment", "web-canary");
      expect(canary.spec).toMatchObject({
        replicas: 2,
        selector: { matchLabels: { app: "web", "shipgate.dev/track": "canary" } },
      });
      expect(canary.status).toMatchObject({ readyReplicas: 2, updatedReplicas: 2 });
      const stable = await kJson("get", "deploy", "web");
      expect(stable.spec?.replicas).toBe(6);
      expect(stable.metadata.annotations).toMatchObject({ "shipgate.dev/stable-replicas": "8" });
      expect(
        (await k("get", "deployments", "-l", "shipgate.dev/track=canary", "-o", "name")).trim(),
      ).toBe("deployment.apps/web-canary");
      expect(emulator.violations).toEqual([]);
    });
  },
);
