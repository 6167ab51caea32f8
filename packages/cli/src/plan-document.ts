import type {
  ChangeRecord,
  CiCheck,
  LockState,
  PreflightReport,
  PreparationReport,
  ReleaseEvent,
  ReleaseOutcome,
  ReleaseSpec,
  SignOff,
} from "@shipgate/core";
import { dashboardLinks, formatDashboardLink, isGreenCheck } from "@shipgate/core";
import { duration, millis, percent, shortSha } from "./event-format.js";

/** Everything the plan document is written from: the spec, and what the dry run saw. */
export interface PlanFacts {
  spec: ReleaseSpec;
  /** The dry run's outcome (SUCCESS/dry_run when everything is green). */
  outcome: ReleaseOutcome;
  events: readonly ReleaseEvent[];
  preparation: PreparationReport | null;
  ciChecks: CiCheck[] | null;
  preflight: PreflightReport | null;
  signOffs: SignOff[] | null;
  releaseBranch: string | null;
  /** Who holds the real release lock now (read-only), "unknown" when the lock cannot tell. */
  lockState: LockState | null | "unknown" | { error: string };
  /** The pull requests since the previous release, or why they could not be listed. */
  changes: ChangeRecord[] | { error: string } | null;
  providers: {
    sourceControl: string;
    ci: string;
    deployer: string;
    slo: string;
    approvals: string | null;
    incidents: string[];
    notifiers: string[];
    smokeChecks: string[];
    lock: string;
    /** A release with waves: each environment's deployer, SLO source and own lock. */
    environments?: Record<string, { deployer: string; slo: string; lock: string | null }>;
  };
  generatedAt: string;
}

const box = (ok: boolean) => (ok ? "[x]" : "[ ]");

/**
 * The dry run as a document (markdown): what would be tagged, the rollout plan (steps,
 * windows, objectives, rollback trigger and method), the release checklist, and the
 * rollback steps. Pure: the same facts give the same text.
 */
export function renderPlanMarkdown(f: PlanFacts): string {
  const { spec, outcome } = f;
  const ready = outcome.status === "SUCCESS";
  const l: string[] = [];
  const has = (type: ReleaseEvent["type"]) => f.events.some((e) => e.type === type);

  l.push(`# Release plan: ${spec.service} ${spec.version} → ${spec.environment}`, "");
  l.push(
    ready
      ? `**Ready.** The dry run passed validation, preparation, the CI gate, sign-off and the deployer preflight (${f.generatedAt}).`
      : `**Not ready: ${outcome.status}** — ${outcome.summary}`,
  );
  l.push("", "Nothing was tagged, deployed or written while making this plan.", "");

  // What would be tagged.
  l.push("## What would be tagged", "");
  const tagReused = f.events.some((e) => e.type === "validate.passed" && e.tag === "reuse");
  l.push(
    tagReused
      ? `- Tag \`${spec.version}\` already points at \`${spec.sha}\`: it would be reused, not created.`
      : `- Annotated tag \`${spec.version}\` on \`${spec.sha}\`${f.releaseBranch ? ` (on \`${f.releaseBranch}\`)` : ""}, message "Release ${spec.version} of ${spec.service} to ${spec.environment}".`,
  );
  l.push(
    `- Previous release: ${spec.previous_release_tag ? `\`${spec.previous_release_tag}\`` : "none (changes from the start of history)"}.`,
  );
  if (Array.isArray(f.changes)) {
    l.push(
      `- ${f.changes.length} pull request${f.changes.length === 1 ? "" : "s"} in this release:`,
      "",
    );
    for (const c of f.changes) {
      const ref = c.url ? `[#${c.number}](${c.url})` : `#${c.number}`;
      l.push(
        `  - ${ref} ${c.title} — @${c.author}${c.reviewers.length ? `, reviewed by ${c.reviewers.map((r) => `@${r}`).join(", ")}` : ""}`,
      );
    }
  } else if (f.changes) {
    l.push(`- The pull requests could not be listed: ${f.changes.error}`);
  }
  l.push("");

  // Rollout plan.
  const windowMs = spec.slo.window_minutes * 60_000;
  const stabilizationMinutes = spec.stabilization_minutes ?? spec.slo.window_minutes;
  l.push("## Rollout plan", "");
  l.push(
    `Deployer: **${f.providers.deployer}**. SLO source: **${f.providers.slo}**. Polls every ${spec.policy.poll_interval_seconds} s.`,
    "",
  );
  l.push("| Step | Canary traffic | Watch window | Objectives |", "| --- | --- | --- | --- |");
  const objectives = `error rate ≤ ${percent(spec.slo.error_rate_max)}, p95 ≤ ${millis(spec.slo.p95_latency_ms)}`;
  spec.canary_steps.forEach((w, i) => {
    l.push(`| ${i + 1} | ${w}% | ${duration(windowMs)} | ${objectives} |`);
  });
  l.push(`| promote | 100% (new stable) | — | smoke checks after the last step |`);
  if (stabilizationMinutes > 0) {
    l.push(`| stabilization | 100% | ${duration(stabilizationMinutes * 60_000)} | ${objectives} |`);
  }
  l.push("");
  if (spec.waves) l.push(...wavePlan(spec, f.providers.environments ?? {}));
  if (f.providers.smokeChecks.length) {
    l.push(
      `Smoke checks after every weight change, after the last step and after a rollback: ${f.providers.smokeChecks.join(", ")}.`,
      "",
    );
  }
  l.push(
    "### Rollback trigger",
    "",
    "Any one of these stops the rollout and rolls back at once:",
    "",
  );
  l.push(`- error rate above ${percent(spec.slo.error_rate_max)} at any poll`);
  l.push(`- p95 latency above ${millis(spec.slo.p95_latency_ms)} at any poll`);
  if (spec.baseline?.error_rate_max_delta !== undefined) {
    l.push(
      `- error rate more than ${percent(spec.baseline.error_rate_max_delta)} above the stable version's`,
    );
  }
  if (spec.baseline?.p95_max_ratio !== undefined) {
    l.push(`- p95 latency more than ×${spec.baseline.p95_max_ratio} the stable version's`);
  }
  l.push(
    `- no data for ${spec.policy.max_no_data_polls} polls in a row, or fewer than ${spec.policy.min_sample_count} request(s) per reading (fails closed), or no data at the end of a window`,
  );
  l.push(
    `- ${spec.policy.max_query_errors} failed metric queries in a row; a rejected query or an auth error at once`,
  );
  if (f.providers.smokeChecks.length) l.push("- a failing smoke check");
  l.push("- a deployer error while moving traffic, or the operator's Ctrl-C / SIGTERM", "");
  l.push("### Rollback method", "");
  l.push(
    `Automatic, through ${f.providers.deployer}: abort the canary (all traffic back to ${f.preflight?.stableVersion ? `\`${f.preflight.stableVersion}\`` : "the stable version"}), roll the deployment back, then verify — the deployer must report the stable version serving 100% and every smoke check must pass. A rollback is verified, never assumed.`,
    "",
  );

  // Checklist.
  l.push("## Release checklist", "");
  const invalid = outcome.reason === "invalid_input";
  l.push(`- ${box(!invalid)} release input valid`);
  const validated = has("validate.passed");
  l.push(
    `- ${box(validated)} sha \`${shortSha(spec.sha)}\` exists on the release branch${f.releaseBranch ? ` \`${f.releaseBranch}\`` : ""}, tag \`${spec.version}\` ${tagReused ? "already on it" : "unused"}${!validated && outcome.reason === "validation_failed" ? ` — ${outcome.summary}` : ""}`,
  );
  if (spec.preparation) {
    const findings = f.preparation?.findings ?? [];
    const kinds: [string, string][] = [
      ["manifest", "manifests valid"],
      ["config", "config present"],
      ["secret", "secrets present"],
      ["migration", "migrations forward-only or reversible"],
    ];
    for (const [kind, label] of kinds) {
      const mine = findings.filter((x) => x.check === kind);
      if (mine.length === 0) {
        l.push(`- ${box(f.preparation !== null)} ${label}: none declared`);
        continue;
      }
      const ok = mine.every((x) => x.passed || !x.blocking);
      l.push(`- ${box(ok)} ${label}:`);
      for (const x of mine) l.push(`  - ${box(x.passed)} ${x.message}`);
    }
    if (!f.preparation) l.push(`  - not checked: ${outcome.summary}`);
  } else {
    l.push(
      "- [ ] manifests, config, secrets and migrations: no `preparation` block in the release, nothing checked",
    );
  }
  if (f.ciChecks) {
    const green = f.ciChecks.filter(isGreenCheck).length;
    const passed = has("ci.passed");
    l.push(
      `- ${box(passed)} CI green on \`${shortSha(spec.sha)}\` (${f.providers.ci}): ${green}/${f.ciChecks.length} checks green`,
    );
    for (const check of f.ciChecks.filter((c) => !isGreenCheck(c))) {
      l.push(
        `  - [ ] ${check.name}: ${check.status === "completed" ? check.conclusion : check.status}${check.url ? ` (${check.url})` : ""}`,
      );
    }
  } else {
    l.push(`- [ ] CI gate not reached (${f.providers.ci})`);
  }
  const dashboards = dashboardLinks(spec.dashboards);
  l.push(
    dashboards.length
      ? `- [x] dashboards: ${dashboards.map((d) => (d.name ? `${d.name} <${d.url}>` : `<${d.url}>`)).join(", ")}`
      : "- [ ] dashboards: none listed (add `dashboards:` to the release so the incident links them)",
  );
  if (spec.approvers.length) {
    const signed = new Set((f.signOffs ?? []).map((s) => s.approver.toLowerCase()));
    const all = spec.approvers.every((a) => signed.has(a.toLowerCase()));
    l.push(`- ${box(all)} approvers (${f.providers.approvals ?? "no approval gate configured"}):`);
    for (const a of spec.approvers) l.push(`  - ${box(signed.has(a.toLowerCase()))} ${a}`);
  } else {
    l.push("- [x] approvers: none required");
  }
  const preflightOk = has("preflight.passed");
  const preflightDetail = !f.preflight
    ? ": not reached"
    : `${f.preflight.ok ? "" : `: ${f.preflight.problems.join("; ")}`}${
        Object.keys(f.preflight.facts).length
          ? ` — ${Object.entries(f.preflight.facts)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")}`
          : ""
      }`;
  l.push(`- ${box(preflightOk)} deployer preflight (${f.providers.deployer})${preflightDetail}`);
  l.push(`- ${lockLine(f)}`);
  l.push("");

  // Rollback steps.
  l.push("## Rollback steps", "");
  l.push("What shipgate does when a trigger fires (and what to do by hand if it cannot):", "");
  l.push(`1. Abort the canary on ${f.providers.deployer}: all traffic back to the stable version.`);
  l.push(
    `2. Roll the deployment back to ${f.preflight?.stableVersion ? `\`${f.preflight.stableVersion}\`` : "the previous stable version"}.`,
  );
  l.push(
    "3. Verify: the deployer reports the stable version serving 100%, and the smoke checks pass after the rollback.",
  );
  l.push(
    `4. File an incident: \`incidents/INC-<date>-NN.md\`${f.providers.incidents.length ? ` and ${f.providers.incidents.join(", ")}` : ""}, with the breach, the evidence and the pull requests most likely to blame.`,
  );
  l.push(
    `5. Write the report under \`devops/reports/\`, release the lock, notify${f.providers.notifiers.length ? ` (${f.providers.notifiers.join(", ")})` : ""}.`,
  );
  l.push(
    `6. If the rollback is reported NOT verified: shipgate exits 3 with "ROLLBACK NOT VERIFIED" — roll back by hand on the platform, then check the dashboards${spec.dashboards.length ? ` (${dashboardLinks(spec.dashboards).map(formatDashboardLink).join(", ")})` : ""}.`,
  );
  l.push(`7. The tag \`${spec.version}\` stays; fix forward with a new version.`, "");
  return `${l.join("\n")}\n`;
}

/** The checklist line for the release lock: free, held (the release would exit 4) or stale. */
function lockLine(f: PlanFacts): string {
  const name = `release lock (${f.providers.lock})`;
  const s = f.lockState;
  if (s === null) return `${box(true)} ${name}: free; taken when the release runs, not by the plan`;
  if (s === "unknown")
    return `${box(true)} ${name}: this lock cannot be inspected; taken when the release runs`;
  if ("error" in s) return `${box(false)} ${name}: could not be inspected: ${s.error}`;
  const who = s.holder
    ? `${s.holder.version || "a release"}${s.holder.host ? ` on ${s.holder.host}` : ""}${s.holder.pid ? ` (pid ${s.holder.pid})` : ""}${s.holder.startedAt ? ` since ${s.holder.startedAt}` : ""}`
    : "an unreadable holder";
  return s.stale
    ? `${box(true)} ${name}: held by ${who}, but stale (${s.why}); the release would take it over`
    : `${box(false)} ${name}: held by ${who} (${s.why}); the release would be refused (exit 4) until it finishes`;
}

/** The wave plan of a release with waves: which environments, in which order, and what a breach does. */
function wavePlan(
  spec: ReleaseSpec,
  environments: NonNullable<PlanFacts["providers"]["environments"]>,
): string[] {
  const waves = spec.waves ?? [];
  const bake = spec.bake_minutes ?? 0;
  const policy = spec.on_wave_failure ?? "rollback_all";
  const l = ["### Waves", ""];
  l.push(
    `Every environment runs the steps above with its own deployer and SLO source; the environments of a wave run side by side, the waves one after the other${bake ? `, with ${duration(bake * 60_000)} of bake time between two waves, during which every environment promoted so far is watched on the same objectives` : ""}.`,
    "",
  );
  l.push(
    "| Wave | Environment | Deployer | SLO source | Own lock |",
    "| --- | --- | --- | --- | --- |",
  );
  waves.forEach((wave, i) => {
    for (const name of wave) {
      const env = environments[name];
      l.push(
        `| ${i + 1} | ${name} | ${env?.deployer ?? "**not configured**"} | ${env?.slo ?? "**not configured**"} | ${env?.lock ?? "—"} |`,
      );
    }
  });
  l.push("");
  l.push(
    `On a breach in any environment: the others of its wave stop, every environment in flight rolls back, no later wave starts; ${
      policy === "rollback_all"
        ? "`on_wave_failure: rollback_all` — every environment promoted in this release rolls back too, newest first, each verified."
        : "`on_wave_failure: halt` — the environments already promoted stay on the new version (the report lists them)."
    }`,
    "",
  );
  return l;
}
