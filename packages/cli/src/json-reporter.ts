import type { CliIo } from "./cli-io.js";
import type { ReleaseReporter } from "./reporter.js";

/**
 * `--json`: every event as one JSON object per line (NDJSON) on stdout, exactly as the
 * orchestrator emitted it (errors serialise through `ShipgateError.toJSON`). The last
 * line is `release.finished` with the outcome; CLI notices are `cli.notice` lines.
 */
export function createJsonReporter(io: CliIo): ReleaseReporter {
  const line = (value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    onEvent(event) {
      line(event);
    },
    notice(message) {
      line({ type: "cli.notice", at: new Date().toISOString(), message });
    },
    finish() {},
    dispose() {},
  };
}
