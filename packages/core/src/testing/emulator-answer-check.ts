import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import type { Closable } from "./emulator-lifecycle.js";

/** An emulator that keeps the answers it sent, and forgets them (and its faults) on `reset`. */
export interface AnswerLoggingEmulator<Answer> extends Closable {
  readonly responses: readonly Answer[];
  reset(): void;
}

/** Options of {@link sharedPerFileCheckingAnswers}. */
export interface AnswerCheckOptions<T extends AnswerLoggingEmulator<unknown>> {
  /** Asserts one answer against the vendor's published contract. */
  check: (answer: T["responses"][number]) => void | Promise<void>;
  /** At least this many answers must have been checked, so the check cannot pass empty. */
  atLeast: number;
  /** Runs before each test, after the reset: seeding the emulator's data, say. */
  beforeEach?: (emulator: T) => void;
}

/**
 * One emulator for the whole test file, like `sharedPerFile`, that also keeps every answer
 * it sent across the file's tests (its own log is reset before each test) and, after the
 * last test, checks them all against the vendor's contract: whatever the adapter made the
 * emulator answer, the answer was one the real service could give.
 *
 * @example
 * ```ts
 * const dd = sharedPerFileCheckingAnswers(startDatadogEmulator, {
 *   atLeast: 20,
 *   check: (r) => expect(errorResponseViolations(JSON.parse(r.body))).toEqual([]),
 * });
 * ```
 */
export function sharedPerFileCheckingAnswers<T extends AnswerLoggingEmulator<unknown>>(
  start: () => Promise<T>,
  options: AnswerCheckOptions<T>,
): T {
  let shared: T | undefined;
  const answers: T["responses"][number][] = [];
  beforeAll(async () => {
    shared = await start();
  });
  beforeEach(() => {
    if (!shared) return;
    answers.push(...shared.responses);
    shared.reset();
    options.beforeEach?.(shared);
  });
  afterAll(async () => {
    if (!shared) return;
    try {
      answers.push(...shared.responses);
      expect(answers.length).toBeGreaterThanOrEqual(options.atLeast);
      for (const answer of answers) await options.check(answer);
    } finally {
      await shared.close();
    }
  });
  return new Proxy({} as T, {
    get(_target, property) {
      if (!shared)
        throw new Error("sharedPerFileCheckingAnswers: used before the emulator started");
      const value = Reflect.get(shared, property, shared);
      return typeof value === "function" ? value.bind(shared) : value;
    },
  });
}
