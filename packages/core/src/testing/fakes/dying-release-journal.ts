import { ResultAsync } from "neverthrow";
import type { ReleaseJournal } from "../../contracts/release-journal.js";
import type { ShipgateError } from "../../errors/shipgate-error.js";

const never = <T>() => new ResultAsync<T, ShipgateError>(new Promise(() => {}));

/**
 * Wraps a journal so that the run writing to it "dies" right after its `n`th record is
 * durable: that write and every later one never settle, so nothing after it happens.
 * Crash-recovery tests kill a release at every journal boundary with it.
 *
 * @example
 * const journal = dyingReleaseJournal(createMemoryReleaseJournal(backend), 3);
 */
export function dyingReleaseJournal(journal: ReleaseJournal, n: number): ReleaseJournal {
  let written = 0;
  const die = <T>(r: ResultAsync<T, ShipgateError>) =>
    new ResultAsync<T, ShipgateError>(
      (async () => {
        if (written >= n) return never<T>();
        const done = await r;
        if (done.isOk()) written += 1;
        return written >= n ? never<T>() : done;
      })(),
    );
  return {
    name: journal.name,
    read: (s, o) => journal.read(s, o),
    begin: (s, r, o) => die(journal.begin(s, r, o)),
    append: (s, r, o) => die(journal.append(s, r, o)),
  };
}
