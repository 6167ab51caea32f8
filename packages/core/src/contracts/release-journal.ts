import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/**
 * The journal format this shipgate writes. Readers accept records of this format and every
 * older one; a record of a newer format is refused with a clear error (`unsupported`),
 * never guessed at.
 */
export const RELEASE_JOURNAL_FORMAT = 1;

/**
 * One state change of a release, appended *before* the action it announces (write-ahead):
 * after a crash, the journal names every action that may have happened.
 */
export interface JournalRecord {
  /** Record format ({@link RELEASE_JOURNAL_FORMAT} when written by this shipgate). */
  v: number;
  /** 1, 2, 3… within one journal; a writer appends `last.seq + 1` or is refused (`conflict`). */
  seq: number;
  /** ISO 8601 time on the release's clock. */
  at: string;
  /** What changes, e.g. `weight.set`, `step.verdict`, `rollback` (see `JOURNAL_RECORD_TYPES` in core). */
  type: string;
  /** The run (lock holder id) that wrote the record: a recovery writes under its own id. */
  run: string;
  /** Details of the change (a weight, a verdict, a path), JSON values only, no secrets. */
  data: Record<string, unknown>;
}

/** What {@link ReleaseJournal.read} found. */
export interface JournalRead {
  /** Every complete record, in order. */
  records: JournalRecord[];
  /** Where the journal lives (a relative path, a Kubernetes object). */
  ref: string;
  /**
   * True when the last record was cut short (power loss mid-write) and was dropped: it was
   * never durable, so the action it announced never started. The next append replaces it.
   */
  truncatedTail: boolean;
}

/** Errors a {@link ReleaseJournal} may return: `conflict` for a wrong `seq`, `unsupported` for a newer format. */
export type ReleaseJournalError = ShipgateError;

/**
 * The write-ahead journal of a service's current (or last) release. One journal per
 * service; it lives next to the release lock so whoever takes the lock over can read it.
 * Every method resolves only once the change is durable (flushed to disk, or accepted by
 * the API server).
 */
export interface ReleaseJournal {
  readonly name: string;
  /** The journal of the service's current or last release; null when there is none. */
  read(service: string, options: CallOptions): ResultAsync<JournalRead | null, ReleaseJournalError>;
  /**
   * Starts a new journal for the service with its first record (`seq` 1), replacing the
   * previous release's journal. Call it only while holding the service's release lock.
   */
  begin(
    service: string,
    first: JournalRecord,
    options: CallOptions,
  ): ResultAsync<{ ref: string }, ReleaseJournalError>;
  /** Appends one record (`seq` = the last record's + 1, else `conflict`), durably. */
  append(
    service: string,
    record: JournalRecord,
    options: CallOptions,
  ): ResultAsync<void, ReleaseJournalError>;
}
