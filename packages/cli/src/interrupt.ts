/** Something that can show a notice (a reporter). */
export interface NoticeSink {
  notice(message: string): void;
}

/**
 * Ctrl-C and SIGTERM while a release runs: the first one aborts `controller` (the
 * orchestrator then rolls a running canary back on its own clean-up signal, writes the
 * report and releases the lock); every further one only says the rollback is still
 * running — it can never skip it. Returns a function that removes the handlers.
 */
export function handleInterrupts(controller: AbortController, sink: NoticeSink): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      sink.notice(
        `${signal} received: stopping. A running canary is rolled back, the report written and the lock released — this cannot be skipped.`,
      );
      controller.abort(new Error(`interrupted by ${signal}`));
    } else {
      sink.notice(
        "still rolling back… shipgate exits as soon as the rollback, report and lock release are done",
      );
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
