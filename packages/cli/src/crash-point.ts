import type { ReleaseJournal } from "@shipgate/core";

/**
 * The environment variable crash tests set to stop a `shipgate` process with SIGKILL right
 * after its Nth journal record is durable (records counted in this process), i.e. exactly
 * at a journal boundary, before the action the record announces. Not for production use.
 */
export const CRASH_AFTER_RECORDS_ENV = "SHIPGATE_CRASH_AFTER_JOURNAL_RECORDS";

/**
 * Like {@link CRASH_AFTER_RECORDS_ENV}, but the process dies when it is about to write its
 * Nth record: after the action the record before announced, before it could journal the
 * next (an incident filed, say, and not yet journaled as filed). Not for production use.
 */
export const CRASH_BEFORE_RECORD_ENV = "SHIPGATE_CRASH_BEFORE_JOURNAL_RECORD";

/**
 * Wraps a journal so the process kills itself (SIGKILL: no clean-up, no finally) after
 * `records` durable records — when {@link CRASH_AFTER_RECORDS_ENV} names a positive number —
 * or as it is about to write record N, when {@link CRASH_BEFORE_RECORD_ENV} names N.
 */
export function withCrashPoint(
  journal: ReleaseJournal,
  env: Readonly<Record<string, string | undefined>>,
): ReleaseJournal {
  const after = Number(env[CRASH_AFTER_RECORDS_ENV]);
  const before = Number(env[CRASH_BEFORE_RECORD_ENV]);
  const valid = (n: number) => Number.isInteger(n) && n > 0;
  if (!valid(after) && !valid(before)) return journal;
  let written = 0;
  const kill = () => process.kill(process.pid, "SIGKILL");
  const writing = () => {
    if (valid(before) && written + 1 >= before) kill();
  };
  const count = () => {
    written += 1;
    if (valid(after) && written >= after) kill();
  };
  return {
    name: journal.name,
    read: (service, options) => journal.read(service, options),
    begin: (service, first, options) => {
      writing();
      return journal.begin(service, first, options).map((v) => {
        count();
        return v;
      });
    },
    append: (service, record, options) => {
      writing();
      return journal.append(service, record, options).map((v) => {
        count();
        return v;
      });
    },
  };
}
