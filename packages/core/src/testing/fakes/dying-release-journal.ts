import { ResultAsync } from "neverthrow";
import type { ReleaseJournal } from "../../contracts/release-journal.js";
import type { ShipgateError } from "../../errors/shipgate-error.js";

const never = <T>() => new ResultAsync<T, ShipgateError>(new Promise(() => {}));

/**
 * Wraps a journal so that the run writing to it "dies" right after its `n`th record is
 * durable: that write and every later one never settle, so nothing after it happens.
 * Crash-recovery tests kill a release at every journal boundary with it. With
 * `{ durable: false }` the `n`th record is never written either: the run dies after the
 * action the previous record announced, before it could journal the next.
 *
 * @example
 * const journal = dyingReleaseJournal(createMemoryReleaseJournal(backend), 3);
 */
export function dyingReleaseJournal(
  journal: ReleaseJournal,
  n: number,
  options: { durable?: boolean } = {},
): ReleaseJournal & { died: Promise<void> } {
  let written = 0;
  const durable = options.durable !== false;
  // Writes after the `last`th never happen.
  const last = durable ? n : n - 1;
  let dead: () => void = () => {};
  const died = new Promise<void>((resolve) => {
    dead = resolve;
  });
  const freeze = <T>() => {
    dead();
    return never<T>();
  };
  const die = <T>(write: () => ResultAsync<T, ShipgateError>) =>
    new ResultAsync<T, ShipgateError>(
      (async () => {
        if (written >= last) return freeze<T>();
        const done = await write();
        if (done.isOk()) written += 1;
        return durable && written >= n ? freeze<T>() : done;
      })(),
    );
  return {
    /** Settles when the run reaches the write it dies in: from then on it does nothing. */
    died,
    name: journal.name,
    read: (s, o) => journal.read(s, o),
    begin: (s, r, o) => die(() => journal.begin(s, r, o)),
    append: (s, r, o) => die(() => journal.append(s, r, o)),
  };
}
