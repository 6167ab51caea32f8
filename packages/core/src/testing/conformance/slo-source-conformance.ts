import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricReading, SloQuery, SloSource } from "../../contracts/slo-source.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** A query whose expected values the adapter's test knows (it seeded the data). */
export interface SloExpectation {
  query: SloQuery;
  errorRate: number;
  p95LatencyMs: number;
  tolerance?: { errorRate?: number; p95LatencyMs?: number };
}

/** What an SloSource adapter's test provides. */
export interface SloSourceConformanceSetup {
  source: SloSource;
  healthy: SloExpectation;
  breaching?: SloExpectation;
  /** A query with no data (unknown service or metric). */
  noData: SloQuery;
  cleanup?: () => Promise<void> | void;
}

function readingValue(reading: MetricReading, what: string): number {
  if (reading.kind !== "value")
    throw new Error(`expected a ${what} value, got no_data: ${reading.reason}`);
  return reading.value;
}

/**
 * The shared suite every {@link SloSource} runs against itself.
 *
 * @example
 * ```ts
 * describeSloSourceConformance("my metrics", () => ({ source, healthy: { query, errorRate: 0.01, p95LatencyMs: 120 }, noData }));
 * ```
 */
export function describeSloSourceConformance(
  name: string,
  setup: () => Promise<SloSourceConformanceSetup> | SloSourceConformanceSetup,
): void {
  describe(`SloSource conformance: ${name}`, () => {
    let s: SloSourceConformanceSetup;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    const check = async (e: SloExpectation) => {
      const m = expectOk(await settle(() => s.source.measure(e.query, { signal: liveSignal() })));
      const rate = readingValue(m.errorRate, "error rate");
      const p95 = readingValue(m.p95LatencyMs, "p95 latency");
      expect(Math.abs(rate - e.errorRate)).toBeLessThanOrEqual(e.tolerance?.errorRate ?? 0.002);
      expect(Math.abs(p95 - e.p95LatencyMs)).toBeLessThanOrEqual(e.tolerance?.p95LatencyMs ?? 5);
      expect(rate).toBeGreaterThanOrEqual(0);
      expect(rate).toBeLessThanOrEqual(1);
      expect(m.sampleCount === null || (Number.isFinite(m.sampleCount) && m.sampleCount > 0)).toBe(
        true,
      );
    };

    it("measures a healthy version's error rate and p95 latency", async () => {
      await check(s.healthy);
    });

    it("measures a breaching version's error rate and p95 latency", async () => {
      if (!s.breaching) return;
      await check(s.breaching);
    });

    it("reports no data as no_data with a reason, never as 0", async () => {
      const m = expectOk(await settle(() => s.source.measure(s.noData, { signal: liveSignal() })));
      for (const reading of [m.errorRate, m.p95LatencyMs]) {
        expect(reading.kind).toBe("no_data");
        if (reading.kind === "no_data") expect(reading.reason.length).toBeGreaterThan(0);
      }
      expect(m.sampleCount === null || m.sampleCount === 0).toBe(true);
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() =>
        s.source.measure(s.healthy.query, { signal: abortedSignal() }),
      );
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
