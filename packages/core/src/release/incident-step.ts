import { ok } from "neverthrow";
import { dashboardLinks } from "../artifacts/dashboard-links.js";
import { postmortemFacts } from "../artifacts/postmortem-facts.js";
import { incidentReleaseKey } from "../contracts/incident-release-key.js";
import type { IncidentDetails, IncidentRef, IncidentSink } from "../contracts/incident-sink.js";
import { journal } from "./journal-step.js";
import type { RunContext } from "./run-context.js";
import { fenced, recordError } from "./run-context.js";
import { rankSuspects } from "./suspect-ranking.js";

/**
 * Step 5b: name the suspects (changes between the previous tag and the sha, ranked) and
 * file the incident — in the artifact store first, always, then in every other sink.
 * The filing is journaled first, with the incident's `releaseKey`. A recovery passes the
 * key a crashed run journaled as `filedBefore`: each sink that can look it up
 * (`findOpened`) is asked first, and only a sink that found nothing files it, so a crash
 * in the middle of filing never files one release's incident twice.
 * An incident that cannot be filed anywhere is reported loudly.
 */
export async function openIncident(
  ctx: RunContext,
  fileSink: IncidentSink,
  breachReason: string,
  breachWeight: number | null,
  reportPath: string,
  options: { filedBefore?: string } = {},
): Promise<void> {
  if (fenced(ctx)) return; // taken over: the new holder files it
  const { spec, stack } = ctx;
  const signal = ctx.cleanupSignal;
  const writer = ctx.journal;
  const releaseKey =
    options.filedBefore ?? (writer ? incidentReleaseKey({ ...spec, run: writer.run }) : null);
  // A wave's environment journals through the release's context, as every other record.
  await journal(ctx.environment?.parent ?? ctx, "incident", releaseKey ? { key: releaseKey } : {});
  const changes = ctx.record.changes ?? (await loadChanges(ctx, signal));
  ctx.record.suspects = rankSuspects(changes ?? []);
  const rollback = ctx.record.rollback;
  const links = dashboardLinks(spec.dashboards);
  const facts = postmortemFacts(ctx.record, {
    breachReason,
    deployer: stack.deployer.name,
    sloSource: stack.slo.name,
  });
  const incident: IncidentDetails = {
    service: spec.service,
    environment: spec.environment,
    version: spec.version,
    sha: spec.sha,
    title: `${spec.service} ${spec.version} rolled back in ${spec.environment}: ${breachReason}`,
    severity: rollback && !rollback.verified ? "critical" : "error",
    openedAt: ctx.now(),
    breachReason,
    breachWeight,
    rollbackVerified: rollback?.verified ?? false,
    rollbackMessage: rollback?.message ?? "no rollback ran",
    suspects: ctx.record.suspects,
    reportPath,
    ...(ctx.record.chartPath ? { chartPath: ctx.record.chartPath } : {}),
    dashboards: links.map((d) => d.url),
    dashboardLinks: links,
    captain: ctx.record.captain ?? null,
    timeline: facts.timeline,
    detection: facts.detection,
    ...(facts.rollback ? { rollback: facts.rollback } : {}),
    impact: facts.impact,
    dedupKey: `shipgate/${spec.service}/${spec.environment}`,
    ...(releaseKey ? { releaseKey } : {}),
  };
  for (const sink of [fileSink, ...(stack.incidents ?? [])]) {
    const found = options.filedBefore ? await findFiled(ctx, sink, options.filedBefore) : null;
    const opened = found ? ok(found) : await sink.open(incident, { signal });
    if (opened.isOk()) {
      ctx.record.incidents.push(opened.value);
      if (opened.value.path && !ctx.record.paths.includes(opened.value.path))
        ctx.record.paths.push(opened.value.path);
      ctx.emit({
        type: "incident.opened",
        sink: sink.name,
        id: opened.value.id,
        path: opened.value.path,
        url: opened.value.url,
        ...(found ? { found: true as const } : {}),
      });
    } else {
      recordError(ctx, `incident: ${sink.name}`, opened.error);
      ctx.emit({ type: "incident.failed", sink: sink.name, error: opened.error.describe() });
    }
  }
  if (ctx.record.incidents.length === 0) {
    ctx.record.warnings.push("INCIDENT COULD NOT BE FILED ANYWHERE: page the owning team by hand");
    ctx.emit({ type: "warning", message: "incident could not be filed anywhere" });
  }
}

/**
 * What `sink` filed under `releaseKey` before a crash, or null: it cannot tell (no
 * `findOpened`), found none, or could not look (a warning; it files again, as a second
 * incident is better than none).
 */
async function findFiled(
  ctx: RunContext,
  sink: IncidentSink,
  releaseKey: string,
): Promise<IncidentRef | null> {
  if (!sink.findOpened) return null;
  const found = await sink.findOpened(releaseKey, { signal: ctx.cleanupSignal });
  if (found.isOk()) return found.value;
  ctx.record.warnings.push(
    `could not look up in ${sink.name} the incident filed before the crash, so it is filed again: ${found.error.describe()}`,
  );
  return null;
}

/** Loads the changes in the release once (suspects and changelog share them). */
export async function loadChanges(ctx: RunContext, signal: AbortSignal) {
  const listed = await ctx.stack.sourceControl.listChanges(
    { fromTag: ctx.spec.previous_release_tag, toSha: ctx.spec.sha },
    { signal },
  );
  if (listed.isErr()) {
    recordError(ctx, "list changes", listed.error);
    ctx.record.warnings.push(
      `could not list the changes in the release: ${listed.error.describe()}`,
    );
    return null;
  }
  ctx.record.changes = listed.value;
  return listed.value;
}

/**
 * After a successful release, asks every sink that can to resolve what it opened for the
 * service and environment (a PagerDuty alert from an earlier rollback, say). Best effort.
 */
export async function resolveOpenIncidents(ctx: RunContext): Promise<void> {
  const { spec } = ctx;
  for (const sink of ctx.stack.incidents ?? []) {
    if (!sink.resolveOpen) continue;
    const resolved = await sink.resolveOpen(
      { service: spec.service, environment: spec.environment, version: spec.version },
      { signal: ctx.cleanupSignal },
    );
    if (resolved.isErr())
      ctx.record.warnings.push(
        `could not resolve open incidents in ${sink.name}: ${resolved.error.describe()}`,
      );
    else ctx.record.resolvedIncidents.push(...resolved.value);
  }
}
