import { describe, expect, it } from "vitest";
import type { SloMeasurement, SloQuery, Track } from "../../contracts/slo-source.js";
import { describeSloSourceConformance } from "../conformance/slo-source-conformance.js";
import { createSimulatedDeployer } from "../fakes/simulated-deployer.js";
import { createVirtualClock } from "../virtual-clock.js";
import { type CanaryTrace, generateCanaryTraces } from "./canary-trace.js";
import { createTraceSloSource } from "./trace-slo-source.js";
import { recordWeightTimeline } from "./weight-timeline.js";

const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const MIN = 60_000;
const target = {
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  sha: "a".repeat(40),
};
const signal = new AbortController().signal;

const traces = generateCanaryTraces({ count: 640, seed: 11 });
const find = (tier: number, group: (t: CanaryTrace) => boolean) =>
  traces.find((t) => t.tierPerMinute === tier && group(t))!;
const healthy = (tier: number) => find(tier, (t) => t.label.class === "healthy");

/** A release on the source's clock: 5% at 0, 25% at 10 min, promoted at 20 min. */
async function world(trace: CanaryTrace) {
  const clock = createVirtualClock(T0);
  const { deployer, timeline } = recordWeightTimeline(
    createSimulatedDeployer({ stableVersion: "v1.3.0" }),
    clock,
  );
  const source = createTraceSloSource(trace, { clock, timeline });
  (await deployer.start(target, { signal }))._unsafeUnwrap();
  (await deployer.setWeight(target, 5, { signal }))._unsafeUnwrap();
  const moveTo = async (ms: number) => {
    clock.set(ms);
  };
  return { clock, deployer, timeline, source, moveTo };
}

const query = (track: Track, fromMin: number, toMin: number): SloQuery => ({
  service: "shop",
  environment: "production",
  version: track === "canary" ? "v1.4.0" : "v1.3.0",
  track,
  windowStart: new Date(T0 + fromMin * MIN),
  windowEnd: new Date(T0 + toMin * MIN),
});

async function measure(
  source: ReturnType<typeof createTraceSloSource>,
  q: SloQuery,
): Promise<SloMeasurement> {
  return (await source.measure(q, { signal }))._unsafeUnwrap();
}

function expectConsistentBuckets(m: SloMeasurement) {
  const buckets = m.latencyBuckets!;
  expect(buckets.at(-1)!.leMs).toBe(Number.POSITIVE_INFINITY);
  expect(buckets.at(-1)!.count).toBe(m.requestCount);
  const ascending = buckets.every((bucket, i) => i === 0 || bucket.leMs > buckets[i - 1]!.leMs);
  const cumulative = buckets.every(
    (bucket, i) =>
      Number.isInteger(bucket.count) && (i === 0 || bucket.count >= buckets[i - 1]!.count),
  );
  expect({ ascending, cumulative }).toEqual({ ascending: true, cumulative: true });
}

const rate = (m: SloMeasurement) => (m.errorRate.kind === "value" ? m.errorRate.value : NaN);
const p95 = (m: SloMeasurement) => (m.p95LatencyMs.kind === "value" ? m.p95LatencyMs.value : NaN);

describe("createTraceSloSource", () => {
  it("adds up: two adjacent windows sum to their union, buckets included", async () => {
    const { source, moveTo } = await world(healthy(2000));
    await moveTo(T0 + 10 * MIN);
    for (const track of ["canary", "stable"] as const) {
      for (const split of [0.5, 3, 7.25, 9.5]) {
        const a = await measure(source, query(track, 0, split));
        const b = await measure(source, query(track, split, 10));
        const all = await measure(source, query(track, 0, 10));
        expect(a.requestCount! + b.requestCount!).toBe(all.requestCount);
        expect(a.errorCount! + b.errorCount!).toBe(all.errorCount);
        expect(a.sampleCount).toBe(a.requestCount);
        expect(
          a.latencyBuckets!.map((bucket, i) => bucket.count + b.latencyBuckets![i]!.count),
        ).toEqual(all.latencyBuckets!.map((bucket) => bucket.count));
        for (const m of [a, b, all]) expectConsistentBuckets(m);
        expect(all.errorRate).toEqual({
          kind: "value",
          value: all.errorCount! / all.requestCount!,
        });
      }
    }
  });

  it("gives overlapping windows the same traffic whatever the order of the questions", async () => {
    const trace = healthy(200);
    const first = await world(trace);
    const second = await world(trace);
    await first.moveTo(T0 + 10 * MIN);
    await second.moveTo(T0 + 10 * MIN);
    const late = await measure(first.source, query("stable", 4, 10));
    await measure(second.source, query("stable", 0, 2));
    await measure(second.source, query("canary", 1, 9));
    expect(await measure(second.source, query("stable", 4, 10))).toEqual(late);
    expect(await measure(first.source, query("canary", 1, 9))).toEqual(
      await measure(second.source, query("canary", 1, 9)),
    );
  });

  it("splits the traffic at the deployer's weight, and stable gets none after promotion", async () => {
    const { source, deployer, moveTo } = await world(healthy(20000));
    await moveTo(T0 + 10 * MIN);
    const canary5 = (await measure(source, query("canary", 0, 10))).requestCount!;
    const stable5 = (await measure(source, query("stable", 0, 10))).requestCount!;
    expect(canary5 / (canary5 + stable5)).toBeCloseTo(0.05, 2);
    expect(canary5 + stable5).toBeGreaterThan(10 * 20000 * 0.8);
    (await deployer.setWeight(target, 25, { signal }))._unsafeUnwrap();
    await moveTo(T0 + 20 * MIN);
    const canary25 = (await measure(source, query("canary", 10, 20))).requestCount!;
    const stable25 = (await measure(source, query("stable", 10, 20))).requestCount!;
    expect(canary25 / (canary25 + stable25)).toBeCloseTo(0.25, 2);
    (await deployer.promote(target, { signal }))._unsafeUnwrap();
    await moveTo(T0 + 30 * MIN);
    const stableAfter = await measure(source, query("stable", 20, 30));
    expect(stableAfter.requestCount).toBe(0);
    expect(stableAfter.errorRate.kind).toBe("no_data");
    expect(stableAfter.p95LatencyMs.kind).toBe("no_data");
    expect(stableAfter.latencyBuckets).toBeNull();
    expect((await measure(source, query("canary", 20, 30))).requestCount).toBeGreaterThan(
      10 * 20000 * 0.8,
    );
  });

  it("says no_data, never 0, for a window without requests", async () => {
    const clock = createVirtualClock(T0);
    const { timeline } = recordWeightTimeline(
      createSimulatedDeployer({ stableVersion: "v1" }),
      clock,
    );
    const source = createTraceSloSource(healthy(200), { clock, timeline });
    clock.set(T0 + 5 * MIN);
    const canary = await measure(source, query("canary", 0, 5));
    expect(canary.errorRate.kind).toBe("no_data");
    expect(canary.requestCount).toBe(0);
    expect(canary.errorCount).toBe(0);
    const empty = await measure(source, query("stable", 3, 3));
    expect(empty.requestCount).toBe(0);
  });

  /** A trace at 20,000/min with a regression of `size` and onset `onset`. */
  const regressionAt20000 = (size: string, onset: string) =>
    find(
      20000,
      (t) =>
        t.label.class === "regression" && t.label.size === size && t.label.onset.kind === onset,
    );

  it("measures the trace's stable error rate and p95, and a regression on the canary only", async () => {
    const trace = regressionAt20000("error_x20", "immediate");
    const { source, moveTo } = await world(trace);
    await moveTo(T0 + 10 * MIN);
    const stable = await measure(source, query("stable", 0, 10));
    const canary = await measure(source, query("canary", 0, 10));
    expect(Math.abs(rate(stable) / trace.stable.errorRate - 1)).toBeLessThan(0.15);
    expect(Math.abs(p95(stable) / trace.stable.p95LatencyMs - 1)).toBeLessThan(0.03);
    expect(rate(canary) / trace.stable.errorRate).toBeGreaterThan(12);
    expect(Math.abs(p95(canary) / trace.stable.p95LatencyMs - 1)).toBeLessThan(0.1);
  });

  it("starts a load-dependent regression once the canary carries 25%", async () => {
    const trace = regressionAt20000("p95_+100%", "at_weight");
    const { source, deployer, moveTo } = await world(trace);
    await moveTo(T0 + 10 * MIN);
    const at5 = p95(await measure(source, query("canary", 0, 10)));
    (await deployer.setWeight(target, 25, { signal }))._unsafeUnwrap();
    await moveTo(T0 + 20 * MIN);
    const at25 = p95(await measure(source, query("canary", 10, 20)));
    const stable = p95(await measure(source, query("stable", 10, 20)));
    expect(Math.abs(at5 / trace.stable.p95LatencyMs - 1)).toBeLessThan(0.1);
    expect(at25 / stable).toBeGreaterThan(1.8);
    expect(at25 / stable).toBeLessThan(2.2);
  });

  /** A trace at 20,000/min with a shared blip that slows both tracks, starting at `weight`. */
  const latencyBlipAt = (weight: 5 | 25) => {
    const trace = find(
      20000,
      (t) =>
        t.label.class === "shared_noise" &&
        t.label.atWeight === weight &&
        t.label.latencyFactor > 1.5,
    );
    if (trace.label.class !== "shared_noise") throw new Error("not a blip");
    return { trace, blip: trace.label };
  };

  it("raises both tracks alike during a shared blip, and only during it", async () => {
    const { trace, blip } = latencyBlipAt(5);
    const { source, moveTo } = await world(trace);
    await moveTo(T0 + 10 * MIN);
    const start = blip.startAfterSeconds / 60;
    const end = start + blip.durationSeconds / 60;
    for (const track of ["canary", "stable"] as const) {
      const before = p95(await measure(source, query(track, 0, start)));
      const during = p95(await measure(source, query(track, start, end)));
      const after = p95(await measure(source, query(track, end, 10)));
      expect(during / before).toBeGreaterThan(blip.latencyFactor * 0.85);
      expect(after / before).toBeLessThan(1.15);
    }
  });

  it("ends a blip when the canary reaches 100%, where no stable track is left", async () => {
    const { trace, blip } = latencyBlipAt(25);
    const { source, deployer, moveTo } = await world(trace);
    await moveTo(T0 + 10 * MIN);
    (await deployer.setWeight(target, 25, { signal }))._unsafeUnwrap();
    const start = 10 + blip.startAfterSeconds / 60;
    await moveTo(T0 + (start + 1) * MIN);
    (await deployer.promote(target, { signal }))._unsafeUnwrap();
    await moveTo(T0 + 30 * MIN);
    const before = p95(await measure(source, query("canary", 10, start)));
    const during = p95(await measure(source, query("canary", start, start + 1)));
    const promoted = p95(await measure(source, query("canary", start + 1, start + 2)));
    expect(during / before).toBeGreaterThan(blip.latencyFactor * 0.85);
    expect(promoted / before).toBeLessThan(1.15);
  });

  it("resolves to aborted when the signal has fired", async () => {
    const { source } = await world(healthy(200));
    const aborted = AbortSignal.abort();
    const result = await source.measure(query("canary", 0, 1), { signal: aborted });
    expect(result.isErr() && result.error.kind).toBe("aborted");
  });
});

describeSloSourceConformance("trace SLO source", async () => {
  const trace = healthy(20000);
  const { source, moveTo } = await world(trace);
  await moveTo(T0 + 10 * MIN);
  // An independent source over the same trace and timeline says what the counts must be.
  const twin = await world(trace);
  await twin.moveTo(T0 + 10 * MIN);
  const expected = await measure(twin.source, query("stable", 0, 10));
  const regression = find(
    20000,
    (t) =>
      t.label.class === "regression" &&
      t.label.size === "error_x20" &&
      t.label.onset.kind === "immediate",
  );
  const breaching = await world(regression);
  await breaching.moveTo(T0 + 10 * MIN);
  return {
    source: {
      name: source.name,
      splitsByTrack: true,
      measure: (q, o) =>
        (q.service === "breaching" ? breaching.source : source).measure(
          { ...q, service: "shop" },
          o,
        ),
    },
    healthy: {
      query: query("stable", 0, 10),
      errorRate: trace.stable.errorRate,
      p95LatencyMs: trace.stable.p95LatencyMs,
      requestCount: expected.requestCount!,
      errorCount: expected.errorCount!,
      latencyBuckets: expected.latencyBuckets!,
      tolerance: { errorRate: 0.001, p95LatencyMs: trace.stable.p95LatencyMs * 0.03 },
    },
    breaching: {
      query: { ...query("canary", 0, 10), service: "breaching" },
      errorRate: regression.stable.errorRate * 20,
      p95LatencyMs: regression.stable.p95LatencyMs,
      tolerance: { errorRate: 0.012, p95LatencyMs: regression.stable.p95LatencyMs * 0.06 },
    },
    noData: query("canary", 0, 0),
    capabilities: { counts: true, latencyBuckets: true },
  };
});
