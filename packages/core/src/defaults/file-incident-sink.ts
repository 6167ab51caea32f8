import { posix } from "node:path";
import { errAsync, ResultAsync } from "neverthrow";
import { oneLine } from "../artifacts/format.js";
import {
  culpritCc,
  type PostmortemSectionKey,
  postmortemSections,
  renderSectionMarkdown,
} from "../artifacts/postmortem-draft.js";
import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { CallOptions } from "../contracts/call-options.js";
import type {
  IncidentDetails,
  IncidentRef,
  IncidentSink,
  IncidentSinkError,
} from "../contracts/incident-sink.js";
import { abortedError, ShipgateError, toShipgateError } from "../errors/shipgate-error.js";
import { checkArtifactPath } from "./relative-artifact-path.js";

/** Options of {@link createFileIncidentSink}. */
export interface FileIncidentSinkOptions {
  /** Where incident files are created; they are records, never overwritten. */
  store: ArtifactStore;
  /** Directory inside the store. */
  dir?: string;
}

// Two digits per day is the naming scheme; a lost race moves on to the next number.
const MAX_PER_DAY = 99;
const MAX_RACE_RETRIES = 20;

/**
 * An {@link IncidentSink} that writes one markdown file per incident,
 * `incidents/INC-YYYY-MM-DD-NN.md` (the UTC day the incident was opened, NN from 01), through
 * an {@link ArtifactStore} so it is never overwritten. The file is meant to be committed or
 * uploaded with the release report it links to.
 *
 * @example
 * ```ts
 * const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: process.cwd() }) });
 * const ref = await sink.open(incident, { signal }); // → { sink: "file", id: "INC-2026-01-05-01", path: "incidents/INC-2026-01-05-01.md" }
 * ```
 */
export function createFileIncidentSink(options: FileIncidentSinkOptions): IncidentSink {
  const dir = (options.dir ?? "incidents").replace(/\/+$/, "");
  const store = options.store;

  return {
    name: "file",

    open(
      incident: IncidentDetails,
      { signal }: CallOptions,
    ): ResultAsync<IncidentRef, IncidentSinkError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      const dirCheck = checkArtifactPath(dir, "dir");
      if (dirCheck.isErr()) return errAsync(dirCheck.error);
      const openedMs = Date.parse(incident.openedAt);
      if (!Number.isFinite(openedMs)) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            `openedAt is not a date: ${JSON.stringify(incident.openedAt)}`,
            {
              field: "openedAt",
            },
          ),
        );
      }
      const day = new Date(openedMs).toISOString().slice(0, 10);
      const prefix = `INC-${day}-`;
      const pattern = new RegExp(`^${prefix}(\\d{2,})\\.md$`);

      return ResultAsync.fromPromise(
        (async (): Promise<IncidentRef> => {
          const listed = await store.list(dir);
          if (listed.isErr()) throw listed.error;
          const taken = listed.value
            .map((name) => pattern.exec(name)?.[1])
            .filter((n): n is string => n !== undefined);
          let next = taken.reduce((max, n) => Math.max(max, Number(n)), 0) + 1;
          for (
            let attempt = 0;
            attempt < MAX_RACE_RETRIES && next <= MAX_PER_DAY;
            attempt += 1, next += 1
          ) {
            if (signal.aborted) throw abortedError(signal);
            const id = `${prefix}${String(next).padStart(2, "0")}`;
            const path = `${dir}/${id}.md`;
            const created = await store.createExclusive(
              path,
              renderIncidentMarkdown(incident, { id, path }),
            );
            if (created.isOk()) return { sink: "file", id, path: created.value.path };
            // Another run filed one under this number a moment ago: take the next.
            if (created.error.kind !== "exists") throw created.error;
          }
          throw new ShipgateError(
            "conflict",
            `Could not find a free incident number for ${day} in ${dir}`,
            {
              hint: `At most ${MAX_PER_DAY} incidents a day are numbered; archive old ones or use another dir`,
            },
          );
        })(),
        (error) => toShipgateError(error, "Could not file the incident"),
      );
    },

    findOpened(releaseKey: string, { signal }: CallOptions) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const line = releaseKeyLine(releaseKey);
      return ResultAsync.fromPromise(
        (async (): Promise<IncidentRef | null> => {
          const listed = await store.list(dir);
          if (listed.isErr()) throw listed.error;
          // Newest first: a recovery looks for what its release filed moments before.
          const names = listed.value
            .filter((n) => INCIDENT_FILE.test(n))
            .sort()
            .reverse();
          for (const name of names) {
            if (signal.aborted) throw abortedError(signal);
            const path = `${dir}/${name}`;
            const text = await store.read(path);
            if (text.isErr()) throw text.error;
            if (text.value?.split("\n").includes(line))
              return { sink: "file", id: name.slice(0, -".md".length), path };
          }
          return null;
        })(),
        (error) => toShipgateError(error, "Could not look up the incidents filed"),
      );
    },
  };
}

const INCIDENT_FILE = /^INC-\d{4}-\d{2}-\d{2}-\d{2,}\.md$/;

/** The line naming the release whose incident a file is: what `findOpened` looks for. */
function releaseKeyLine(releaseKey: string): string {
  return `- **Release key:** \`${oneLine(releaseKey)}\``;
}

/**
 * The incident's markdown. Paths are relative (the report link is relative to the incident
 * file), so the file reads the same wherever the repository is checked out.
 */
export function renderIncidentMarkdown(
  incident: IncidentDetails,
  where: { id: string; path: string },
): string {
  const lines: string[] = [];
  lines.push(`# ${where.id}: ${oneLine(incident.title)}`, "");
  lines.push(
    `- **Service:** ${oneLine(incident.service)}`,
    `- **Environment:** ${oneLine(incident.environment)}`,
    `- **Version:** ${oneLine(incident.version)}`,
    `- **Sha:** \`${oneLine(incident.sha)}\``,
    `- **Severity:** ${incident.severity}`,
    `- **Opened:** ${incident.openedAt}`,
    "- **Status:** open",
    `- **Dedup key:** \`${oneLine(incident.dedupKey)}\``,
  );
  if (incident.releaseKey) lines.push(releaseKeyLine(incident.releaseKey));
  if (incident.captain) lines.push(`- **Release captain:** ${oneLine(incident.captain)}`);
  lines.push("");
  // The postmortem draft's sections, in the order a responder reads them.
  const draft = new Map(postmortemSections(incident).map((s) => [s.key, s]));
  const section = (key: PostmortemSectionKey, withHeading = true) => {
    const s = draft.get(key)!;
    if (withHeading) lines.push(`## ${s.title}`, "");
    lines.push(renderSectionMarkdown(s).trimEnd(), "");
  };

  lines.push("## What happened", "");
  lines.push(
    `The release was stopped: **${oneLine(incident.breachReason)}**${
      incident.breachWeight === null ? "" : ` at ${incident.breachWeight}% canary weight`
    }.`,
    "",
  );

  section("timeline");
  section("detection");

  lines.push("## Rollback", "");
  if (incident.rollbackVerified) {
    lines.push(`Rollback verified: yes — ${oneLine(incident.rollbackMessage)}`, "");
  } else {
    lines.push(
      "> **⚠ ROLLBACK NOT VERIFIED.** The previous version may not be serving all traffic.",
      "> Check the deployment by hand now.",
      ">",
      `> Rollback verified: NO — ${oneLine(incident.rollbackMessage)}`,
      "",
    );
  }

  if (incident.rollback) section("rollback", false);
  section("impact");

  lines.push("## Suspect changes", "");
  if (incident.suspects.length === 0) {
    lines.push("No changes were merged in this release.", "");
  } else {
    const culprit = incident.suspects.find((s) => s.likelyCulprit);
    if (culprit) {
      lines.push(
        `**Likely culprit: #${culprit.change.number} ${cell(culprit.change.title)}** by @${cell(culprit.change.author)} — ${oneLine(culprit.reason)}`,
        "",
        culpritCc(incident)!,
        "",
      );
    }
    lines.push("| PR | Title | Author | Score | Why |", "| --- | --- | --- | ---: | --- |");
    for (const suspect of incident.suspects) {
      const { change } = suspect;
      const ref = change.url ? `[#${change.number}](${change.url})` : `#${change.number}`;
      const flag = suspect.likelyCulprit ? " **(likely culprit)**" : "";
      lines.push(
        `| ${ref}${flag} | ${cell(change.title)} | @${cell(change.author)} | ${suspect.score} | ${cell(suspect.reason)} |`,
      );
    }
    lines.push("");
  }

  section("root_cause");
  section("went_well");
  section("action_items");

  lines.push("## Links", "");
  const reportLink = posix.relative(posix.dirname(where.path), incident.reportPath);
  lines.push(`- Release report: [${incident.reportPath}](${reportLink})`);
  const chartLink = incident.chartPath
    ? posix.relative(posix.dirname(where.path), incident.chartPath)
    : null;
  if (chartLink) lines.push(`- Canary chart: [${incident.chartPath}](${chartLink})`);
  for (const dashboard of incident.dashboardLinks ??
    incident.dashboards.map((url) => ({ name: null, url })))
    lines.push(
      `- Dashboard: ${dashboard.name ? `[${oneLine(dashboard.name)}](${dashboard.url})` : dashboard.url}`,
    );
  lines.push("");
  if (chartLink) lines.push(`![Canary chart: error rate and p95 per step](${chartLink})`, "");
  return lines.join("\n");
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}
