import type { ReleaseJournal } from "@shipgate/core";

/**
 * The environment variable crash tests set to stop a `shipgate` process with SIGKILL right
 * after its Nth journal record is durable (records counted in this process), i.e. exactly
 * at a journal boundary, before the action the record announces. Not for production use.
 */
export const CRASH_AFTER_RECORDS_ENV = "SHIPGATE_CRASH_AFTER_JOURNAL_RECORDS";

/**
 * Wraps a journal so the process kills itself (SIGKILL: no clean-up, no finally) after
 * `records` durable records — when {@link CRASH_AFTER_RECORDS_ENV} names a positive number.
 */
export function withCrashPoint(
  journal: ReleaseJournal,
  env: Readonly<Record<string, string | undefined>>,
): ReleaseJournal {
  const records = Number(env[CRASH_AFTER_RECORDS_ENV]);
  if (!Number.isInteger(records) || records <= 0) return journal;
  let written = 0;
  const count = () => {
    written += 1;
    if (written >= records) process.kill(process.pid, "SIGKILL");
  };
  return {
    name: journal.name,
    read: (service, options) => journal.read(service, options),
    begin: (service, first, options) =>
      journal.begin(service, first, options).map((v) => {
        count();
        return v;
      }),
    append: (service, record, options) =>
      journal.append(service, record, options).map((v) => {
        count();
        return v;
      }),
  };
}
