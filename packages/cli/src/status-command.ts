import { describeJournalRecord, journalFacts } from "@shipgate/core";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { loadServiceStack } from "./service-stack.js";

/**
 * `shipgate status`: the journal of the service's current or last release in plain words,
 * who holds the lock (live, or dead and expired), and what to do. Changes nothing.
 */
export async function runStatusCommand(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const mode = outputMode(io, flags);
  const c = mode.colors;
  const found = await loadServiceStack(flags, io, mode, "no service given");
  if (!found) return 1;
  const { service } = found;
  const { stack } = found.built;
  const signal = new AbortController().signal;
  const lock = stack.lock.inspect ? await stack.lock.inspect(service, { signal }) : null;
  const read = stack.journal ? await stack.journal.read(service, { signal }) : null;
  if (lock?.isErr() || read?.isErr()) {
    const error = lock?.isErr() ? lock.error : read?.isErr() ? read.error : null;
    printProblems(io, mode, [
      { key: "", message: error?.describe() ?? "unknown error", hint: error?.hint ?? "" },
    ]);
    return 1;
  }
  const lockState = lock?.isOk() ? lock.value : null;
  const journal = read?.isOk() ? read.value : null;
  const facts = journal?.records.length ? journalFacts(journal) : null;
  const finished = facts?.isOk() ? facts.value.finished : null;
  const state = !journal
    ? "none"
    : finished
      ? "finished"
      : lockState && !lockState.stale
        ? "running"
        : "interrupted";
  if (mode.json) {
    io.stdout.write(
      `${JSON.stringify({
        type: "status",
        service,
        state,
        lock: lockState,
        journal: journal
          ? { ref: journal.ref, truncatedTail: journal.truncatedTail, records: journal.records }
          : null,
      })}\n`,
    );
    return 0;
  }
  const lines: string[] = [];
  lines.push(c.bold(`${service}: ${STATE_WORDS[state]}`));
  if (lockState?.holder) {
    const h = lockState.holder;
    lines.push(
      `  lock:    held by ${h.version} (host ${h.host}, pid ${h.pid}, since ${h.startedAt}${h.heartbeatAt ? `, heartbeat ${h.heartbeatAt}` : ""}) — ${lockState.stale ? c.yellow(`stale: ${lockState.why}`) : lockState.why}`,
    );
  } else lines.push("  lock:    free");
  if (journal) {
    lines.push(`  journal: ${journal.ref}`);
    for (const r of journal.records)
      lines.push(
        `    ${c.dim(`${String(r.seq).padStart(3)}  ${r.at}`)}  ${describeJournalRecord(r)}`,
      );
    if (journal.truncatedTail)
      lines.push(c.yellow("    (the last record was cut short by a crash: it never happened)"));
    if (facts?.isErr()) lines.push(c.yellow(`  ${facts.error.message}`));
  }
  if (state === "interrupted")
    lines.push(
      `  next:    run \`shipgate recover\` (or the next \`shipgate release\`) to roll it back and close it`,
    );
  io.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

const STATE_WORDS: Record<string, string> = {
  none: "no release journaled yet",
  finished: "the last release finished",
  running: "a release is running",
  interrupted: "the last release was interrupted (its runner is gone) and is not recovered yet",
};
