import { loadChanges } from "./incident-step.js";
import type { RunContext } from "./run-context.js";
import { recordError } from "./run-context.js";

/**
 * Step 6: the changelog of a successful release → `devops/status/prs-in-release.json`
 * (structured) and the report's changelog section. A failure here is recorded and
 * reported; the release stays a success (it is live).
 */
export async function writeChangelog(ctx: RunContext, signal: AbortSignal): Promise<void> {
  const { spec, stack } = ctx;
  const changes = ctx.record.changes ?? (await loadChanges(ctx, signal));
  if (!changes) return;
  const rendered = await stack.changelog.render(
    { version: spec.version, previousVersion: spec.previous_release_tag, changes },
    { signal },
  );
  if (rendered.isErr()) {
    recordError(ctx, "changelog", rendered.error);
    ctx.record.warnings.push(`changelog failed: ${rendered.error.describe()}`);
    return;
  }
  ctx.record.changelog = rendered.value;
  if (ctx.dryRun) return;
  const { changelog } = rendered.value;
  const doc = {
    service: spec.service,
    environment: spec.environment,
    version: spec.version,
    previous_version: spec.previous_release_tag,
    sha: spec.sha,
    total: changelog.total,
    groups: Object.fromEntries(
      Object.entries(changelog.groups).map(([type, entries]) => [
        type,
        entries.map((e) => ({
          number: e.change.number,
          title: e.change.title,
          description: e.description,
          scope: e.scope,
          breaking: e.breaking,
          url: e.change.url,
          author: e.change.author,
          reviewers: e.change.reviewers,
          labels: e.change.labels,
          merged_at: e.change.mergedAt,
          merge_sha: e.change.mergeSha,
          files: e.change.files,
        })),
      ]),
    ),
  };
  const path = "devops/status/prs-in-release.json";
  const written = await stack.artifacts.writeStatus(path, `${JSON.stringify(doc, null, 2)}\n`);
  if (written.isErr()) {
    recordError(ctx, "changelog", written.error);
    return;
  }
  if (!ctx.record.paths.includes(written.value.path)) ctx.record.paths.push(written.value.path);
  ctx.emit({ type: "changelog.written", changes: changelog.total, path: written.value.path });
}
