import { expect, it } from "vitest";
import type {
  LatencyBucket,
  MetricReading,
  SloQuery,
  SloSource,
} from "../../contracts/slo-source.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";
import {
  capabilityProblems,
  type SloSourceCapabilities,
  sloMeasurementProblems,
} from "./slo-measurement-checks.js";

/** A query whose expected values the adapter's test knows (it seeded the data). */
export interface SloExpectation {
  query: SloQuery;
  errorRate: number;
  p95LatencyMs: number;
  /** Requests the source must count for this query (v2); asserted when given. */
  requestCount?: number;
  /** Failed requests the source must count for this query (v2); asserted when given. */
  errorCount?: number;
  /** The latency histogram the source must report (v2); asserted when given. */
  latencyBuckets?: LatencyBucket[];
  tolerance?: {
    errorRate?: number;
    p95LatencyMs?: number;
    /** Allowed difference of `requestCount`, `errorCount` and bucket counts. Default 0. */
    counts?: number;
  };
}

/** What an SloSource adapter's test provides. */
export interface SloSourceConformanceSetup extends ConformanceCleanup {
  source: SloSource;
  healthy: SloExpectation;
  breaching?: SloExpectation;
  /** A query with no data (unknown service or metric). */
  noData: SloQuery;
  /** What the source declares it can and cannot give (v2 fields). */
  capabilities?: SloSourceCapabilities;
}

function readingValue(reading: MetricReading, what: string): number {
  if (reading.kind !== "value")
    throw new Error(`expected a ${what} value, got no_data: ${reading.reason}`);
  return reading.value;
}

function expectCount(actual: number | null | undefined, expected: number, tolerance: number) {
  expect(typeof actual).toBe("number");
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance);
}

/**
 * The shared suite every {@link SloSource} runs against itself. Besides the v1 readings it
 * checks the v2 fields (`requestCount`, `errorCount`, `latencyBuckets`) wherever the
 * source fills them, asserts the expected counts and buckets given in the setup, and holds
 * the source to its declared {@link SloSourceCapabilities}.
 *
 * @example
 * ```ts
 * describeSloSourceConformance("my metrics", () => ({
 *   source,
 *   healthy: { query, errorRate: 0.01, p95LatencyMs: 120, requestCount: 1000, errorCount: 10 },
 *   noData,
 *   capabilities: { counts: true, latencyBuckets: false },
 * }));
 * ```
 */
export const describeSloSourceConformance = defineConformanceSuite<SloSourceConformanceSetup>(
  "SloSource",
  (s) => {
    const measure = async (query: SloQuery) =>
      expectOk(await settle(() => s().source.measure(query, { signal: liveSignal() })));

    const check = async (e: SloExpectation) => {
      const m = await measure(e.query);
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

    const checkV2 = async (e: SloExpectation) => {
      const m = await measure(e.query);
      expect(sloMeasurementProblems(m, { rateTolerance: e.tolerance?.errorRate ?? 0.002 })).toEqual(
        [],
      );
      expect(capabilityProblems(m, s().capabilities, true)).toEqual([]);
      const tolerance = e.tolerance?.counts ?? 0;
      if (e.requestCount !== undefined) expectCount(m.requestCount, e.requestCount, tolerance);
      if (e.errorCount !== undefined) expectCount(m.errorCount, e.errorCount, tolerance);
      if (e.latencyBuckets !== undefined) {
        const got = m.latencyBuckets;
        expect(Array.isArray(got), "latencyBuckets are given").toBe(true);
        expect(got?.map((b) => b.leMs)).toEqual(e.latencyBuckets.map((b) => b.leMs));
        for (const [i, b] of e.latencyBuckets.entries()) {
          expectCount(got?.[i]?.count, b.count, tolerance);
        }
      }
    };

    it("measures a healthy version's error rate and p95 latency", async () => {
      await check(s().healthy);
    });

    it("measures a breaching version's error rate and p95 latency", async () => {
      const { breaching } = s();
      if (!breaching) return;
      await check(breaching);
    });

    it("counts a healthy version's requests and errors consistently with its error rate (v2)", async () => {
      await checkV2(s().healthy);
    });

    it("says whether it can measure the tracks apart, if at all, with a boolean (v2)", () => {
      const splits = s().source.splitsByTrack;
      expect(
        splits === undefined || typeof splits === "boolean",
        `splitsByTrack is ${splits}`,
      ).toBe(true);
    });

    it("counts a breaching version's requests and errors consistently with its error rate (v2)", async () => {
      const { breaching } = s();
      if (!breaching) return;
      await checkV2(breaching);
    });

    it("reports no data as no_data with a reason, never as 0", async () => {
      const m = await measure(s().noData);
      for (const reading of [m.errorRate, m.p95LatencyMs]) {
        expect(reading.kind).toBe("no_data");
        if (reading.kind === "no_data") expect(reading.reason.length).toBeGreaterThan(0);
      }
      expect(m.sampleCount === null || m.sampleCount === 0).toBe(true);
    });

    it("counts no requests for no data: requestCount 0 or null (v2)", async () => {
      const m = await measure(s().noData);
      expect(
        m.requestCount === undefined || m.requestCount === null || m.requestCount === 0,
        `requestCount is ${m.requestCount}`,
      ).toBe(true);
      expect(
        m.errorCount === undefined || m.errorCount === null || m.errorCount === 0,
        `errorCount is ${m.errorCount}`,
      ).toBe(true);
      expect(sloMeasurementProblems(m, { rateTolerance: 0.002 })).toEqual([]);
      expect(capabilityProblems(m, s().capabilities, false)).toEqual([]);
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().source.measure(s().healthy.query, { signal }),
    ]);
  },
);
