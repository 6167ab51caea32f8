import { KubeConfig } from "@kubernetes/client-node";
import { makeKubeClients } from "../kube-clients.js";
import { createKubernetesLeaseLock } from "../kubernetes-lease-lock.js";

/*
 * Test-only: one CI runner in the two-process race (bundled by the test with esbuild and
 * run with node). argv: kubeconfig path, namespace, service, holder id. Prints one JSON line.
 */
const [kubeconfigPath, namespace, service, holderId] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const clients = makeKubeClients(kc, "emulator", namespace, {
  requestTimeoutMs: 5_000,
  maxRetries: 0,
})._unsafeUnwrap();
const lock = createKubernetesLeaseLock({ clients, leaseDurationSeconds: 30 });
const result = await lock.acquire(
  {
    service,
    holder: {
      id: holderId,
      host: `runner-${holderId}`,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      version: "v1.4.0",
    },
  },
  { signal: AbortSignal.timeout(10_000) },
);
lock.close();
process.stdout.write(
  `${JSON.stringify(
    result.isOk()
      ? { ok: true, ref: result.value.ref, tookOverFrom: result.value.tookOverFrom?.id ?? null }
      : {
          ok: false,
          kind: result.error.kind,
          holder: (result.error.details?.holder as { id?: string } | null)?.id ?? null,
        },
  )}\n`,
);
