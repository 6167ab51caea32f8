import { createReleaseOrchestrator } from "@shipgate/core";
import { chooseReporter } from "./choose-reporter.js";
import { type CliIo, outputMode } from "./cli-io.js";
import { handleInterrupts } from "./interrupt.js";
import { loadServiceStack } from "./service-stack.js";

/**
 * `shipgate recover`: finishes a release whose runner died (`kill -9`, a pre-empted CI
 * job). Takes the lock over from the dead holder, reads the journal and, if the release
 * did not finish, rolls a started canary back, verifies, writes the crashed attempt's
 * report (`recovered_after_crash`), files the incident and releases the lock. Exit 3 after
 * a rollback, 1 when nothing had been deployed, 0 when there was nothing to recover, 4
 * when a live release holds the lock. `--resume` continues the release from its last
 * passed canary step instead, when its policy allows it (`resume_after_crash`).
 * `--watchdog` is for a scheduled job that makes sure no canary is left with nobody
 * watching it: a live release holding the lock is watching its own canary, so that is
 * exit 0 too; the job fails only when it had to recover something, or could not.
 */
export async function runRecoverCommand(
  flags: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const mode = outputMode(io, flags);
  const found = await loadServiceStack(flags, io, mode, "no service to recover");
  if (!found) return 1;
  const { service, built } = found;
  const reporter = chooseReporter(io, mode, null);
  const controller = new AbortController();
  const removeHandlers = handleInterrupts(controller, reporter);
  try {
    const outcome = await createReleaseOrchestrator(built.stack).recover(
      { service, resume: flags.resume === true },
      { signal: controller.signal, onEvent: (event) => reporter.onEvent(event) },
    );
    // Nothing was recovered: one line, the same words in plain text and in `--json`.
    const nothing = (type: "recover.nothing" | "recover.watched", reason: string, line: string) => {
      io.stdout.write(`${mode.json ? JSON.stringify({ type, service, reason }) : line}\n`);
      return 0;
    };
    if (!outcome) {
      const reason = `the last release of ${service} finished (or there was none)`;
      return nothing("recover.nothing", reason, `nothing to recover: ${reason}`);
    }
    if (flags.watchdog === true && outcome.reason === "lock_held")
      return nothing("recover.watched", outcome.summary, outcome.summary);
    reporter.finish(outcome, { artifactsRoot: built.artifactsRoot });
    return outcome.exitCode;
  } finally {
    reporter.dispose();
    removeHandlers();
  }
}
