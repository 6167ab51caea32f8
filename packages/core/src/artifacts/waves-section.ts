import type { EnvironmentRecord, RollbackRecord, RunRecord } from "../model/run-record.js";
import { cell } from "./format.js";
import { renderJudgeSection } from "./judge-section.js";
import { STEP_TABLE_HEADER, stepRow } from "./step-table.js";

const STATE: Record<EnvironmentRecord["state"], string> = {
  pending: "not started",
  not_started: "not started",
  running: "running",
  promoted: "promoted",
  breached: "**breached**",
  failed: "**failed**",
  cancelled: "stopped",
};

/** An environment's state as the report says it: held and rolled back win over promoted. */
export function environmentStateLabel(env: EnvironmentRecord): string {
  if (env.held) return "promoted, **held** (on_wave_failure: halt)";
  const rollback = env.record.rollback;
  if (rollback)
    return `${STATE[env.state]}, rolled back (${rollback.verified ? "verified" : "**NOT VERIFIED**"})`;
  return STATE[env.state];
}

/**
 * The deploy part of a release with waves: the wave plan as it ran (one row per wave),
 * then one subsection per environment with its deployer, preflight and step table.
 */
export function renderWavesDeploy(record: RunRecord): string[] {
  const waves = record.waves ?? [];
  const environments = record.environments ?? [];
  const out: string[] = [];
  out.push(
    `Waves: ${waves.length}, on a breach: \`${record.onWaveFailure ?? "rollback_all"}\`${record.stoppedIn ? `; stopped in **${record.stoppedIn}**` : ""}.\n`,
  );
  out.push(
    "| wave | environments | started | ended | result | bake after |",
    "|---|---|---|---|---|---|",
  );
  for (const w of waves)
    out.push(
      `| ${w.index + 1} | ${cell(
        w.environments
          .map((name) => {
            const env = environments.find((e) => e.name === name);
            return env ? `${name}: ${environmentStateLabel(env)}` : name;
          })
          .join("; "),
      )} | ${cell(w.startedAt)} | ${cell(w.endedAt)} | ${w.result === "pending" ? "not started" : w.result} | ${w.bakeMinutes ? `${w.bakeMinutes} min` : "—"} |`,
    );
  out.push("");
  for (const env of environments) {
    out.push(`### Environment ${env.name} (wave ${env.wave + 1})\n`);
    out.push(
      `State: ${environmentStateLabel(env)}${env.summary ? ` — ${env.summary}` : ""}. Deployer \`${env.deployer}\`, SLO source \`${env.sloSource}\`${env.lockRef ? `, lock \`${env.lockRef}\`` : ""}.\n`,
    );
    const preflight = env.record.preflight;
    if (preflight) {
      const facts = Object.entries(preflight.facts)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      out.push(
        `Preflight: ${preflight.ok ? "ok" : `**failed**: ${preflight.problems.join("; ")}`}${facts ? ` (${facts})` : ""}.\n`,
      );
    }
    if (env.record.steps.length === 0) out.push("No canary step ran.\n");
    else {
      out.push(...STEP_TABLE_HEADER);
      for (const step of env.record.steps) out.push(stepRow(step));
      out.push("");
    }
    if (env.record.chartPath)
      out.push(
        `![Canary chart of ${env.name}: error rate and p95 per step, objectives, breach or promotion, rollback](${env.record.chartPath.split("/").pop()})\n`,
      );
  }
  return out;
}

function rollbackLines(r: RollbackRecord): string[] {
  const out = [`Reason: ${r.reason}\n`];
  out.push(
    `- abort: ${r.aborted ? "done" : "FAILED"}`,
    `- roll back: ${r.rolledBack ? "done" : "FAILED"}`,
    `- verification: ${r.verified ? "verified" : "**ROLLBACK NOT VERIFIED**"} — ${r.message}`,
  );
  for (const s of r.smoke)
    out.push(`- smoke \`${s.name}\` after rollback: ${s.passed ? "pass" : "FAIL"} — ${s.detail}`);
  out.push(`- started ${r.startedAt}, ended ${r.endedAt ?? "—"}\n`);
  return out;
}

/**
 * The rollback part of a release with waves: each environment rolled back, in the order
 * it was (the one that stopped first, then its wave, then the promoted ones newest first),
 * and the environments left on the new version under `halt`.
 */
export function renderWavesRollback(record: RunRecord): string[] {
  const environments = record.environments ?? [];
  const rolled = environments
    .filter((e) => e.record.rollback)
    .sort((a, b) => rollbackOrder(record, a) - rollbackOrder(record, b));
  const held = environments.filter((e) => e.held);
  if (rolled.length === 0 && held.length === 0) return ["No rollback.\n"];
  const out: string[] = [];
  if (rolled.length)
    out.push(`Rolled back, in this order: ${rolled.map((e) => e.name).join(", ")}.\n`);
  for (const env of rolled) {
    out.push(`### ${env.name}\n`);
    out.push(...rollbackLines(env.record.rollback!));
  }
  if (held.length)
    out.push(
      `Left on ${record.spec.version} (on_wave_failure: halt): ${held.map((e) => e.name).join(", ")}. Roll them back by hand if the breach concerns them too.\n`,
    );
  return out;
}

function rollbackOrder(record: RunRecord, env: EnvironmentRecord): number {
  const index = (record.timeline ?? []).findIndex(
    (e) => e.type === "rollback.started" && e.environment === env.name,
  );
  return index === -1 ? Number.MAX_SAFE_INTEGER : index;
}

/** The evidence of a release with waves: each environment's readings and judge table. */
export function renderWavesEvidence(record: RunRecord): string[] {
  const out: string[] = [];
  for (const env of record.environments ?? []) {
    out.push(`### ${env.name}\n`);
    const evidence = env.record.evidence;
    if (evidence.length === 0) out.push("No readings.\n");
    else {
      out.push("| time | phase | weight | kind | result | detail |", "|---|---|---|---|---|---|");
      for (const e of evidence)
        out.push(
          `| ${e.at} | ${cell(e.phase)} | ${e.weight}% | ${e.kind} | ${e.result} | ${cell(e.detail)} |`,
        );
      out.push("");
    }
    const judged = renderJudgeSection(env.record);
    if (judged.length)
      out.push(`#### How the canary was judged in ${env.name}\n`, ...judged.slice(1));
  }
  return out.length ? out : ["No readings.\n"];
}
