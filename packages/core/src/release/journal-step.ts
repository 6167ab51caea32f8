import { type JournalRecord, RELEASE_JOURNAL_FORMAT } from "../contracts/release-journal.js";
import type { LockHolder } from "../contracts/release-lock.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import { writeProgressReport } from "./progress-report.js";
import { previousTiming } from "./report-step.js";
import { type JournalWriter, type RunContext, stopIfFenced } from "./run-context.js";

export type { JournalWriter } from "./run-context.js";

/**
 * Every state change core journals, in the order a release makes them. Each is appended
 * (durably) *before* the action it announces, so a journal that ends with `weight.set 25`
 * says "25% may have been set".
 */
export const JOURNAL_RECORD_TYPES = [
  /** The lock is held; data: the spec, the report path and attempt, the holder. */
  "release.started",
  "validated",
  /** data: verdict. */
  "ci.gate",
  /** The tag is about to be created; data: name, sha. */
  "tag.create",
  /** The canary is about to start (no traffic yet). */
  "deploy.start",
  /** data: weight. */
  "weight.set",
  /** data: weight, phase, result, reason. */
  "step.verdict",
  "promote",
  /** The release's fate is decided; data: status, reason, summary. Clean-up follows. */
  "outcome",
  "abort",
  "rollback",
  /** data: verified, message. */
  "verification",
  /** The incident is about to be filed; data: key (its `releaseKey`, looked up again after a crash). */
  "incident",
  "changelog",
  /** The final report is about to be written; data: path, status. */
  "report",
  /** Everything is done but releasing the lock; data: status, reason, exit code, report. */
  "finished",
  /** A later run took over a crashed release; data: mode, by. */
  "recovery.started",
] as const;

/** One of {@link JOURNAL_RECORD_TYPES}. */
export type JournalRecordType = (typeof JOURNAL_RECORD_TYPES)[number];

/**
 * Appends one record to the run's journal (`begin` for the first), then refreshes the
 * progress report. A no-op without a journal (dry runs, stacks without one): those write
 * their report once, at the end.
 *
 * @throws ShipgateError when the record cannot be written while `strict`: the action it
 * announces must not run unannounced.
 */
export async function journal(
  ctx: RunContext,
  type: JournalRecordType,
  data: Record<string, unknown> = {},
): Promise<void> {
  const w = ctx.journal;
  // Without a journal (simulations, scenario tests) there is nothing to recover from, and
  // the report is written once, at the end.
  if (!w) return;
  // Taken over: the journal is the new holder's now. The action this record announces must
  // not run either.
  if (stopIfFenced(ctx, w.strict)) return;
  if (!ctx.environment && !w.tail) return write(ctx, w, type, data);
  // Environments of a wave share the release's journal: their records go one at a time,
  // each naming its environment.
  const tagged = ctx.environment ? { ...data, environment: ctx.environment.name } : data;
  const previous = w.tail ?? Promise.resolve();
  const next = previous.then(() => write(ctx, w, type, tagged));
  w.tail = next.catch(() => undefined);
  return next;
}

async function write(
  ctx: RunContext,
  w: JournalWriter,
  type: JournalRecordType,
  data: Record<string, unknown>,
): Promise<void> {
  const record: JournalRecord = {
    v: RELEASE_JOURNAL_FORMAT,
    seq: w.seq + 1,
    at: ctx.now(),
    type,
    run: w.run,
    data,
  };
  const options = { signal: ctx.cleanupSignal };
  const written =
    record.seq === 1
      ? await w.journal.begin(w.service, record, options).map(() => undefined)
      : await w.journal.append(w.service, record, options);
  if (written.isErr()) {
    // Another run wrote the journal: this one was taken over (presumed dead), so it stops here.
    if (await writtenByAnotherRun(w, written.error))
      (ctx.environment?.parent ?? ctx).fence?.abort(
        new ShipgateError(
          "conflict",
          `another run wrote the release journal of ${w.service}: this run was presumed dead and taken over`,
          { cause: written.error },
        ),
      );
    if (stopIfFenced(ctx, w.strict)) return;
    if (w.strict)
      throw new ShipgateError(
        written.error.kind,
        `could not journal ${type} before doing it: ${written.error.message}`,
        { cause: written.error, hint: written.error.hint },
      );
    const message = `could not journal ${type}: ${written.error.describe()}`;
    if (!ctx.record.warnings.includes(message)) ctx.record.warnings.push(message);
    return;
  }
  w.seq = record.seq;
  // An environment's progress shows in the release's report.
  await writeProgressReport(ctx.environment?.parent ?? ctx);
}

/**
 * True when an append was refused for its sequence number because the journal holds records
 * of another run after this run's last (a recovery took the release over). A refusal over
 * this run's own record (a write that timed out but landed) is not that.
 */
async function writtenByAnotherRun(w: JournalWriter, error: ShipgateError): Promise<boolean> {
  if (error.kind !== "conflict" || error.field !== "seq") return false;
  const read = await w.journal.read(w.service, { signal: new AbortController().signal });
  if (read.isErr() || !read.value) return false;
  return read.value.records.some((r) => r.seq > w.seq && r.run !== w.run);
}

/** Marks the outcome as decided: from here on, journal failures warn instead of stopping. */
export function relaxJournal(ctx: RunContext): void {
  if (ctx.journal) ctx.journal.strict = false;
}

/**
 * Starts the run's journal (when the stack has one) with `release.started` — the spec,
 * the report path and the holder, all a recovery needs — and claims the report file.
 */
export async function startJournal(
  ctx: RunContext,
  reserved: { path: string; attempt: number },
  holder: LockHolder,
): Promise<void> {
  ctx.report = { ...reserved, claimed: false, previous: await previousTiming(ctx) };
  if (ctx.stack.journal)
    ctx.journal = {
      journal: ctx.stack.journal,
      service: ctx.spec.service,
      run: holder.id,
      seq: 0,
      strict: true,
    };
  await journal(ctx, "release.started", {
    spec: ctx.spec,
    report: reserved,
    holder: { id: holder.id, host: holder.host, pid: holder.pid },
    startedAt: ctx.record.startedAt,
  });
}
