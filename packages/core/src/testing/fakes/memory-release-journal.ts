import { errAsync, okAsync } from "neverthrow";
import type { JournalRecord, ReleaseJournal } from "../../contracts/release-journal.js";
import {
  parseJournalRecord,
  seqConflict,
  serializeJournalRecord,
} from "../../contracts/release-journal-format.js";
import { abortedError, ShipgateError } from "../../errors/shipgate-error.js";

/** Shared state of memory journals: several journal clients on one "backend" (two runners). */
export interface MemoryJournalBackend {
  /** Each service's journal as raw JSON values (so tests can plant a newer format). */
  journals: Map<string, unknown[]>;
  /** Services whose last record was cut short (power loss): reads drop it and say so. */
  truncated: Set<string>;
}

/** Creates a backend shared by {@link createMemoryReleaseJournal} clients. */
export function createMemoryJournalBackend(): MemoryJournalBackend {
  return { journals: new Map(), truncated: new Set() };
}

/**
 * A {@link ReleaseJournal} in memory, for orchestration tests on the virtual clock. Appends
 * are atomic (check `seq`, then push), like a store with compare-and-swap.
 *
 * @example
 * ```ts
 * const journal = createMemoryReleaseJournal();
 * const stack = { ...fakes, journal };
 * ```
 */
export function createMemoryReleaseJournal(
  backend: MemoryJournalBackend = createMemoryJournalBackend(),
): ReleaseJournal & { backend: MemoryJournalBackend } {
  const ref = (service: string) => `memory:${service}`;
  const load = (service: string) => {
    const raw = backend.journals.get(service);
    if (!raw) return null;
    const kept = backend.truncated.has(service) ? raw.slice(0, -1) : raw;
    const records: JournalRecord[] = [];
    for (const value of kept) {
      const parsed = parseJournalRecord(value, ref(service));
      if (parsed.isErr()) return parsed.error;
      records.push(parsed.value);
    }
    return { records, ref: ref(service), truncatedTail: backend.truncated.has(service) };
  };
  return {
    name: "memory",
    backend,
    read(service, { signal }) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const found = load(service);
      return found instanceof ShipgateError ? errAsync(found) : okAsync(found);
    },
    begin(service, first, { signal }) {
      if (signal.aborted) return errAsync(abortedError(signal));
      if (first.seq !== 1) return errAsync(seqConflict(ref(service), 1, first.seq));
      const line = serializeJournalRecord(first);
      if (line.isErr()) return errAsync(line.error);
      backend.journals.set(service, [structuredClone(first)]);
      backend.truncated.delete(service);
      return okAsync({ ref: ref(service) });
    },
    append(service, record, { signal }) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const line = serializeJournalRecord(record);
      if (line.isErr()) return errAsync(line.error);
      const found = load(service);
      if (found instanceof ShipgateError) return errAsync(found);
      if (!found)
        return errAsync(
          new ShipgateError("not_found", `No release journal ${ref(service)} to append to`),
        );
      const expected = (found.records.at(-1)?.seq ?? 0) + 1;
      if (record.seq !== expected) return errAsync(seqConflict(ref(service), expected, record.seq));
      if (backend.truncated.delete(service)) backend.journals.get(service)?.pop();
      backend.journals.get(service)?.push(structuredClone(record));
      return okAsync(undefined);
    },
  };
}
