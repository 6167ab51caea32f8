import type { HelmDeployerOptions } from "../helm-deployer.js";
import {
  HELM_TEST_CONTEXT,
  HELM_TEST_NAMESPACE,
  type HelmTestCluster,
} from "./helm-test-cluster.js";

/** The values-switch canary mode of the test charts: `canary.enabled`, `.weight`, `.image.tag`. */
export const TEST_VALUES_MODE: HelmDeployerOptions["mode"] = {
  kind: "values",
  enabledPath: "canary.enabled",
  weightPath: "canary.weight",
  imageTagPath: "canary.image.tag",
};

/**
 * The deployer options of the helm tests: the real helm against the test cluster (its
 * context, namespace, kubeconfig and environment), one release per service, `chart` with
 * its image tag at `image.tag`, no install, 30 s waits; `extra` replaces any of them.
 */
export function helmTestDeployerOptions(
  c: HelmTestCluster,
  chart: string,
  extra: Partial<HelmDeployerOptions> = {},
): HelmDeployerOptions {
  return {
    runner: {
      helmBinary: c.helmBinary,
      cwd: c.dir,
      kubeContext: HELM_TEST_CONTEXT,
      namespace: HELM_TEST_NAMESPACE,
      kubeconfig: c.kubeconfigPath,
      processTimeoutMs: 60_000,
      env: c.env,
    },
    releaseTemplate: "{{service}}",
    chart,
    valuesFiles: [],
    imageTagPath: "image.tag",
    install: false,
    waitTimeoutSeconds: 30,
    mode: TEST_VALUES_MODE,
    ...extra,
  };
}
