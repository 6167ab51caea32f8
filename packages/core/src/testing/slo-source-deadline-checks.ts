import { describe, expect, it } from "vitest";
import type { SloQuery, SloSource } from "../contracts/slo-source.js";
import { measuredError } from "./emulator/measured.js";

/** What {@link describeSloSourceDeadlineChecks} drives: an SLO source over its emulator. */
export interface SloSourceDeadlineSetup {
  /** The source under test, with this request timeout (ms) when given. */
  source: (timeoutMs?: number) => SloSource;
  /** A query the emulator can answer; `overrides` replace its fields. */
  query: (overrides?: Partial<SloQuery>) => SloQuery;
  /** Makes the emulator's next answer come `ms` late. */
  delayNext: (ms: number) => void;
  /** Requests the emulator received since `forget`. */
  requests: () => readonly unknown[];
  /** Forgets received requests and pending delays. */
  forget: () => void;
}

/**
 * How an HTTP SLO source keeps to its deadlines, run against its emulator: a slow answer
 * times out well before it comes, an abort mid-request ends the call at once, a fired
 * signal sends nothing, and an empty window is refused before any request.
 *
 * @example
 * ```ts
 * describeSloSourceDeadlineChecks("datadog", {
 *   source: (timeoutMs) => source(timeoutMs ? { timeoutMs } : {}),
 *   query: sloQuery, delayNext: (ms) => dd.failNext({ delayMs: ms }),
 *   requests: () => dd.requests, forget: () => dd.reset(),
 * });
 * ```
 */
export function describeSloSourceDeadlineChecks(name: string, setup: SloSourceDeadlineSetup): void {
  describe(`SloSource deadlines: ${name}`, () => {
    it("times out a slow answer as timeout", async () => {
      setup.delayNext(800);
      const started = Date.now();
      const e = await measuredError(setup.source(100), setup.query());
      expect(e.kind).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(500);
    });

    it("resolves to aborted quickly mid-request, and sends nothing when pre-aborted", async () => {
      setup.delayNext(800);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      const mid = await measuredError(setup.source(), setup.query(), controller.signal);
      expect(mid.kind).toBe("aborted");
      expect(Date.now() - started).toBeLessThan(400);
      setup.forget();
      const aborted = new AbortController();
      aborted.abort();
      const pre = await measuredError(setup.source(), setup.query(), aborted.signal);
      expect(pre.kind).toBe("aborted");
      expect(setup.requests()).toHaveLength(0);
    });

    it("rejects an empty window as invalid_input", async () => {
      const query = setup.query();
      const e = await measuredError(setup.source(), { ...query, windowEnd: query.windowStart });
      expect(e).toMatchObject({ kind: "invalid_input", field: "query.windowEnd" });
    });
  });
}
