import type { CliIo, OutputMode } from "./cli-io.js";
import { clockTime, describeEvent } from "./event-format.js";
import { type ReleaseReporter, summaryLines } from "./reporter.js";

/**
 * Not a terminal (a CI log, a pipe): one line per event, stamped with the release clock's
 * time, then the artifact paths and the next step. Nothing is redrawn.
 *
 * @example
 * ```text
 * [10:04:00] canary 25% 4m00s/10m00s: error rate 3.40% (max 1.00%), p95 212 ms (max 300 ms) BREACH
 * ```
 */
export function createPlainReporter(io: CliIo, mode: OutputMode): ReleaseReporter {
  const c = mode.colors;
  // Polls after the promotion belong to the stabilization window, not to a canary step.
  let stabilizing = false;
  return {
    onEvent(event) {
      if (event.type === "stabilization.started") stabilizing = true;
      let line = describeEvent(event, c);
      if (stabilizing && event.type === "canary.poll")
        line = line.replace(/^canary 100%/, "stabilization 100%");
      io.stdout.write(`${c.dim(`[${clockTime(event.at)}]`)} ${line}\n`);
    },
    notice(message) {
      io.stdout.write(`${c.yellow(message)}\n`);
    },
    finish(outcome, context) {
      const lines = summaryLines(outcome, context, io, mode);
      if (lines.length) io.stdout.write(`${lines.join("\n")}\n`);
    },
    dispose() {},
  };
}
