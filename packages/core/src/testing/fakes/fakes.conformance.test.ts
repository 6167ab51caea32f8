import { describeApprovalGateConformance } from "../conformance/approval-gate-conformance.js";
import { describeArtifactStoreConformance } from "../conformance/artifact-store-conformance.js";
import { describeCiProviderConformance } from "../conformance/ci-provider-conformance.js";
import { describeDeployerConformance } from "../conformance/deployer-conformance.js";
import { conformanceChanges } from "../conformance/fixtures.js";
import { describeIncidentSinkConformance } from "../conformance/incident-sink-conformance.js";
import { describeNotifierConformance } from "../conformance/notifier-conformance.js";
import { describeReleaseLockConformance } from "../conformance/release-lock-conformance.js";
import { describeSloSourceConformance } from "../conformance/slo-source-conformance.js";
import { describeSmokeCheckConformance } from "../conformance/smoke-check-conformance.js";
import { describeSourceControlConformance } from "../conformance/source-control-conformance.js";
import { createVirtualClock } from "../virtual-clock.js";
import { createFakeApprovalGate } from "./fake-approval-gate.js";
import { createFakeCiProvider } from "./fake-ci-provider.js";
import { createFakeSmokeCheck } from "./fake-smoke-check.js";
import { createFakeSourceControl } from "./fake-source-control.js";
import { createMemoryArtifactStore } from "./memory-artifact-store.js";
import { createMemoryIncidentSink } from "./memory-incident-sink.js";
import { createMemoryNotifier } from "./memory-notifier.js";
import { createMemoryLockBackend, createMemoryReleaseLock } from "./memory-release-lock.js";
import { createSimulatedDeployer } from "./simulated-deployer.js";
import { createSimulatedSloSource } from "./simulated-slo-source.js";

// The fakes are contracts' implementations too: they must pass the same suites as adapters.
const sha = (c: string) => c.repeat(40);
const target = { service: "shop", environment: "production", version: "v2.0.0", sha: sha("a") };

describeSourceControlConformance("fake source control", () => ({
  sourceControl: createFakeSourceControl({
    releaseBranch: "main",
    tags: { "v1.0.0": sha("1") },
    offBranchCommits: [sha("2")],
    missingCommits: [sha("3")],
    changes: conformanceChanges,
  }),
  releaseBranch: "main",
  onBranchSha: sha("4"),
  offBranchSha: sha("2"),
  missingSha: sha("3"),
  existingTag: { name: "v1.0.0", sha: sha("1") },
  missingTag: "v9.9.9",
  range: { fromTag: "v1.0.0", toSha: sha("4"), expectedNumbers: [101, 102, 103, 104, 105] },
}));

describeCiProviderConformance("fake CI", () => {
  const clock = createVirtualClock();
  return {
    ci: createFakeCiProvider({
      clock,
      checks: {
        [sha("a")]: [{ name: "unit", conclusion: "success" }],
        [sha("b")]: [{ name: "unit", conclusion: "failure" }],
        [sha("c")]: [
          { name: "e2e", conclusion: "success", status: "in_progress", completeAfterMinutes: 5 },
        ],
      },
    }),
    greenSha: sha("a"),
    redSha: sha("b"),
    unknownSha: sha("d"),
    pendingSha: sha("c"),
  };
});

describeDeployerConformance("simulated deployer", () => ({
  deployer: createSimulatedDeployer({ stableVersion: "v1.0.0", services: ["shop"] }),
  target,
  secondTarget: { ...target, version: "v2.1.0" },
  missingTarget: { ...target, service: "nope" },
}));

describeSloSourceConformance("simulated SLO source", () => {
  const deployer = createSimulatedDeployer({ stableVersion: "v1.0.0" });
  deployer.state.weight = 25;
  const q = {
    service: "shop",
    environment: "production",
    version: "v2.0.0",
    track: "canary" as const,
    windowStart: new Date(0),
    windowEnd: new Date(60_000),
  };
  const noDataDeployer = createSimulatedDeployer({ stableVersion: "v1.0.0" });
  noDataDeployer.state.weight = 5;
  const source = createSimulatedSloSource(deployer, {
    "25": { error_rate: 0.004, p95_latency_ms: 120 },
  });
  const empty = createSimulatedSloSource(noDataDeployer, {});
  return {
    source: {
      name: "sim",
      measure: (query, o) =>
        query.service === "nobody" ? empty.measure(query, o) : source.measure(query, o),
    },
    healthy: { query: q, errorRate: 0.004, p95LatencyMs: 120, requestCount: 1000, errorCount: 4 },
    noData: { ...q, service: "nobody" },
    capabilities: { counts: true, latencyBuckets: true },
  };
});

describeIncidentSinkConformance("memory incident sink", () => ({
  sink: createMemoryIncidentSink(),
}));
describeApprovalGateConformance("fake approvals", () => ({
  gate: createFakeApprovalGate([{ approver: "dana" }, { approver: "lee" }], createVirtualClock()),
  request: { service: "shop", environment: "production", version: "v2.0.0", sha: sha("a") },
  expectedApprovers: ["dana", "lee"],
}));
describeNotifierConformance("memory notifier", () => {
  const notifier = createMemoryNotifier();
  return { notifier, received: async () => notifier.sent };
});
describeReleaseLockConformance("memory lock", () => {
  const backend = createMemoryLockBackend();
  return {
    makeLock: () => createMemoryReleaseLock(backend),
    makeStale: async (service) => {
      const h = backend.holders.get(service);
      if (h) h.stale = true;
    },
  };
});
describeArtifactStoreConformance("memory artifact store", () => ({
  store: createMemoryArtifactStore(),
}));
describeSmokeCheckConformance("fake smoke check", () => ({
  passing: createFakeSmokeCheck({}),
  failing: createFakeSmokeCheck({ failIn: ["after_weight_change"] }),
}));
