import type { IncidentDetails } from "../../contracts/incident-sink.js";
import type { Notification, NotificationKind } from "../../contracts/notifier.js";
import type { SmokeCheckContext } from "../../contracts/smoke-check.js";
import type { ChangeRecord } from "../../contracts/source-control.js";

const sha = (c: string) => c.repeat(40).slice(0, 40);

/** Changes used by the conformance suites (and handy in users' tests). */
export const conformanceChanges: ChangeRecord[] = [
  {
    number: 101,
    title: "feat(api): add bulk export endpoint",
    url: "https://git.example.com/acme/shop/pull/101",
    author: "alice",
    reviewers: ["bob"],
    labels: ["enhancement"],
    mergedAt: "2026-01-02T09:00:00Z",
    mergeSha: sha("a1"),
    files: ["src/api/export.ts", "src/db/query.ts"],
  },
  {
    number: 102,
    title: "fix(cart)!: change total rounding",
    url: "https://git.example.com/acme/shop/pull/102",
    author: "carol",
    reviewers: ["alice", "dave"],
    labels: [],
    mergedAt: "2026-01-03T10:00:00Z",
    mergeSha: sha("b2"),
    files: ["src/cart/total.ts"],
  },
  {
    number: 103,
    title: "Update README",
    url: null,
    author: "erin",
    reviewers: [],
    labels: ["documentation"],
    mergedAt: "2026-01-03T11:00:00Z",
    mergeSha: sha("c3"),
    files: ["README.md"],
  },
  {
    number: 104,
    title: "bump lodash",
    url: "https://git.example.com/acme/shop/pull/104",
    author: "renovate",
    reviewers: ["bob"],
    labels: ["dependencies"],
    mergedAt: "2026-01-04T08:00:00Z",
    mergeSha: sha("d4"),
    files: ["package.json"],
  },
  {
    number: 105,
    title: "Tidy logging",
    url: "https://git.example.com/acme/shop/pull/105",
    author: "frank",
    reviewers: [],
    labels: [],
    mergedAt: "2026-01-04T09:00:00Z",
    mergeSha: sha("e5"),
    files: ["src/log.ts"],
  },
];

/** An incident as the orchestrator would file it; #102 is the likely culprit. */
export const conformanceIncident: IncidentDetails = {
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  sha: sha("f6"),
  title: "shop v1.4.0 rolled back in production: error rate 4.10% > 1.00% at 25%",
  severity: "critical",
  openedAt: "2026-01-05T10:17:00.000Z",
  breachReason: "error rate 4.10% > 1.00% at 25%",
  breachWeight: 25,
  rollbackVerified: true,
  rollbackMessage: "stable version v1.3.2 serving 100%",
  suspects: [
    {
      change: conformanceChanges[1]!,
      score: 7,
      likelyCulprit: true,
      reason: "breaking change to runtime code, merged last among runtime changes",
    },
    {
      change: conformanceChanges[0]!,
      score: 4,
      likelyCulprit: false,
      reason: "feature touching runtime code",
    },
  ],
  reportPath: "devops/reports/release-v1.4.0.md",
  dashboards: ["https://grafana.example.com/d/shop"],
  dedupKey: "shipgate/shop/production",
};

/**
 * {@link conformanceIncident} with the postmortem facts a release records: timeline,
 * detection, rollback and impact, named dashboards and the captain. Sinks that render the
 * postmortem draft test their bodies with it.
 */
export const conformancePostmortemIncident: IncidentDetails = {
  ...conformanceIncident,
  dashboardLinks: [{ name: "Grafana", url: "https://grafana.example.com/d/shop" }],
  captain: "alice",
  timeline: [
    {
      at: "2026-01-05T10:00:00.000Z",
      event: "lock.acquired",
      detail: "release lock taken: devops/status/release-shop.lock",
    },
    {
      at: "2026-01-05T10:00:01.000Z",
      event: "tag.created",
      detail: "tag v1.4.0 created on f6f6f6f6f6f6 and pushed to origin",
    },
    {
      at: "2026-01-05T10:00:02.000Z",
      event: "canary.step.started",
      detail: "canary step 1/3: weight 5%, watched for 10 m 00 s",
    },
    {
      at: "2026-01-05T10:13:00.000Z",
      event: "canary.breach",
      detail: "BREACH at 25%: error rate 4.10% > 1.00% at 25%",
    },
    {
      at: "2026-01-05T10:13:00.000Z",
      event: "rollback.started",
      detail: "rollback started: error rate 4.10% > 1.00% at 25%",
    },
    {
      at: "2026-01-05T10:14:42.000Z",
      event: "rollback.finished",
      detail: "rollback verified: stable version v1.3.2 is serving",
    },
  ],
  detection: {
    metric: "error rate",
    source: "prometheus",
    queries: ['sum(rate(http_requests_total{job="shop",code=~"5.."}[3m]))'],
    readings: [
      { metric: "error rate", value: "4.10%", threshold: "≤ 1.00%", breached: true },
      { metric: "p95 latency", value: "210 ms", threshold: "≤ 300 ms", breached: false },
    ],
    weight: 25,
    detectedAt: "2026-01-05T10:13:00.000Z",
    windowMinutes: 10,
    observedMs: 180_000,
    sampleCount: 5120,
    errorCount: 210,
    reasoning: ["error rate 4.10% > 1.00% at 25%"],
  },
  rollback: {
    method:
      "abort the canary and roll back to the stable version v1.3.2 through the kubernetes deployer",
    startedAt: "2026-01-05T10:13:00.000Z",
    endedAt: "2026-01-05T10:14:42.000Z",
    durationMs: 102_000,
    verified: true,
    evidence: ["verification: stable version v1.3.2 is serving"],
  },
  impact: {
    exposure: [
      { weight: 5, phase: "canary", minutes: 10, requests: 2000, failedRequests: 4 },
      { weight: 25, phase: "canary", minutes: 3, requests: 5120, failedRequests: 210 },
    ],
    fullTrafficMinutes: 1.25,
    requests: 7120,
    failedRequests: 214,
  },
};

/** One notification of each kind. */
export function conformanceNotifications(): Notification[] {
  const base = {
    service: "shop",
    environment: "production",
    version: "v1.4.0",
    sha: sha("f6"),
    reportPath: "devops/reports/release-v1.4.0.md",
    dashboards: ["https://grafana.example.com/d/shop"],
  };
  const kinds: [NotificationKind, Partial<Notification>][] = [
    ["release_started", { summary: "shop v1.4.0 → production: release started" }],
    [
      "step_passed",
      { summary: "shop v1.4.0: 25% passed (error rate 0.20%, p95 120 ms)", weight: 25 },
    ],
    [
      "release_succeeded",
      {
        summary: "shop v1.4.0 is live in production",
        changelog: ["feat(api): add bulk export endpoint (#101)"],
      },
    ],
    [
      "release_aborted",
      {
        summary: "shop v1.4.0 rolled back: error rate 4.10% > 1.00% at 25%",
        incident: { id: "INC-2026-01-05-01", path: "incidents/INC-2026-01-05-01.md" },
      },
    ],
    ["release_blocked", { summary: "shop v1.4.0 blocked: CI check `unit` failed" }],
    ["release_failed", { summary: "shop v1.4.0 failed: deployer unavailable" }],
  ];
  return kinds.map(([kind, extra]) => ({
    ...base,
    kind,
    summary: "",
    body: `**${extra.summary ?? kind}**\nReport: devops/reports/release-v1.4.0.md`,
    ...extra,
  }));
}

/** The release a smoke check runs for in the conformance suite (and in users' tests). */
export const conformanceSmokeCheckContext: SmokeCheckContext = {
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  phase: "after_weight_change",
  weight: 5,
};
