import { err, ok, type Result } from "neverthrow";
import type { JournalRead, JournalRecord } from "../contracts/release-journal.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import { type ReleaseSpec, releaseSpecSchema } from "../model/release-spec.js";

/** What a journal says a release did, and may have done, before it stopped. */
export interface JournalFacts {
  spec: ReleaseSpec;
  /** The run that began the journal. */
  run: string;
  holder: { host: string; pid: number } | null;
  startedAt: string;
  report: { path: string; attempt: number };
  records: JournalRecord[];
  last: JournalRecord;
  /** A `finished` record closes the journal: nothing to recover. */
  finished: { status: string; reason: string; exitCode: number } | null;
  tagAnnounced: boolean;
  /** The canary may have started (traffic may have moved). */
  deployAnnounced: boolean;
  /** Every weight that may have been set, in order. */
  weightsAnnounced: number[];
  promoteAnnounced: boolean;
  /** The decided outcome, when the run got that far. */
  outcome: { status: string; reason: string; summary: string } | null;
  /** A rollback was announced (by the run or an earlier recovery): check before doing it again. */
  rollbackAnnounced: boolean;
  /** The last verification of the rollback, if one was journaled. */
  verification: { verified: boolean; message: string } | null;
  /** An incident was announced and a later record shows the step ended. */
  incidentFiled: boolean;
  /**
   * The `releaseKey` of an incident announced but not shown filed: a sink may have filed it
   * before the crash, so the recovery looks it up before filing again.
   */
  incidentKey: string | null;
  /** The incident file the run wrote, when its final `report` record names it. */
  incidentPath: string | null;
  /** Earlier recoveries of this release (a recovery that was itself killed). */
  recoveries: number;
  /** The last record was cut short by a crash (it never happened). */
  truncatedTail: boolean;
}

/** Reads the facts of a journal. Fails when its first record is not a release start. */
export function journalFacts(read: JournalRead): Result<JournalFacts, ShipgateError> {
  const [first] = read.records;
  const last = read.records.at(-1);
  if (!first || !last || first.type !== "release.started")
    return err(
      new ShipgateError(
        "invalid_response",
        `The release journal ${read.ref} does not begin with release.started`,
        {
          hint: "Inspect the journal; shipgate always begins one with the release it runs",
        },
      ),
    );
  const spec = releaseSpecSchema.safeParse(first.data.spec);
  if (!spec.success)
    return err(
      new ShipgateError(
        "invalid_response",
        `The release journal ${read.ref} holds no readable release spec`,
        {
          field: "data.spec",
        },
      ),
    );
  const report = first.data.report as { path?: unknown; attempt?: unknown } | undefined;
  const holder = first.data.holder as { host?: unknown; pid?: unknown } | undefined;
  const facts: JournalFacts = {
    spec: spec.data,
    run: first.run,
    holder:
      holder && typeof holder.host === "string" && typeof holder.pid === "number"
        ? { host: holder.host, pid: holder.pid }
        : null,
    startedAt: typeof first.data.startedAt === "string" ? first.data.startedAt : first.at,
    report: {
      path: typeof report?.path === "string" ? report.path : "",
      attempt: typeof report?.attempt === "number" ? report.attempt : 0,
    },
    records: read.records,
    last,
    finished: null,
    tagAnnounced: false,
    deployAnnounced: false,
    weightsAnnounced: [],
    promoteAnnounced: false,
    outcome: null,
    rollbackAnnounced: false,
    verification: null,
    incidentFiled: false,
    incidentKey: null,
    incidentPath: null,
    recoveries: 0,
    truncatedTail: read.truncatedTail,
  };
  for (const [i, r] of read.records.entries()) {
    const d = r.data;
    switch (r.type) {
      case "report":
        if (typeof d.path === "string") facts.report.path = d.path;
        if (typeof d.attempt === "number") facts.report.attempt = d.attempt;
        if (typeof d.incident === "string") facts.incidentPath = d.incident;
        break;
      case "tag.create":
        facts.tagAnnounced = true;
        break;
      case "deploy.start":
        facts.deployAnnounced = true;
        break;
      case "weight.set":
        if (typeof d.weight === "number") facts.weightsAnnounced.push(d.weight);
        break;
      case "promote":
        facts.promoteAnnounced = true;
        break;
      case "outcome":
        facts.outcome = {
          status: String(d.status),
          reason: String(d.reason),
          summary: String(d.summary ?? ""),
        };
        break;
      case "abort":
      case "rollback":
        facts.rollbackAnnounced = true;
        break;
      case "verification":
        facts.verification = { verified: d.verified === true, message: String(d.message ?? "") };
        break;
      case "incident":
        if (i < read.records.length - 1) facts.incidentFiled = true;
        else if (typeof d.key === "string") facts.incidentKey = d.key;
        break;
      case "recovery.started":
        facts.recoveries += 1;
        break;
      case "finished":
        facts.finished = {
          status: String(d.status),
          reason: String(d.reason),
          exitCode: Number(d.exitCode),
        };
        break;
    }
  }
  return ok(facts);
}

const WORDS: Record<string, (r: JournalRecord) => string> = {
  "release.started": (r) => {
    const spec = r.data.spec as
      | { service?: string; version?: string; environment?: string }
      | undefined;
    const h = r.data.holder as { host?: string; pid?: number } | undefined;
    return `release of ${spec?.service} ${spec?.version} to ${spec?.environment} started${h ? ` on ${h.host} (pid ${h.pid})` : ""}; report ${(r.data.report as { path?: string } | undefined)?.path ?? "?"}`;
  },
  validated: (r) => `validated (tag ${r.data.tag === "reuse" ? "reused" : "new"})`,
  "ci.gate": (r) => `CI gate: ${r.data.verdict}`,
  "tag.create": (r) => `creating tag ${r.data.name} on ${String(r.data.sha).slice(0, 12)}`,
  "deploy.start": () => "starting the canary (no traffic yet)",
  "weight.set": (r) => `setting the canary weight to ${r.data.weight}%`,
  "step.verdict": (r) =>
    `${r.data.phase === "stabilization" ? "stabilization" : `${r.data.weight}%`}: ${r.data.result}${r.data.reason ? ` (${r.data.reason})` : ""}`,
  promote: () => "promoting the canary to 100% stable",
  outcome: (r) => `decided: ${r.data.status} (${r.data.reason}) — ${r.data.summary}`,
  abort: () => "aborting the canary",
  rollback: () => "rolling back to the stable version",
  verification: (r) =>
    `rollback ${r.data.verified ? "verified" : "NOT verified"}: ${r.data.message}`,
  incident: () => "filing the incident",
  changelog: () => "writing the changelog",
  report: (r) => `writing the final report ${r.data.path}`,
  finished: (r) => `finished: ${r.data.status} (${r.data.reason}), exit ${r.data.exitCode}`,
  "recovery.started": (r) =>
    `recovery by ${(r.data.by as { host?: string } | undefined)?.host ?? r.run} (${r.data.mode}): ${r.data.why}`,
};

/** One journal record in plain words, for `shipgate status` and logs. */
export function describeJournalRecord(record: JournalRecord): string {
  const words = (WORDS[record.type] ?? ((r: JournalRecord) => r.type))(record);
  // A release with waves: its environments' records name them.
  return typeof record.data.environment === "string"
    ? `[${record.data.environment}] ${words}`
    : words;
}
