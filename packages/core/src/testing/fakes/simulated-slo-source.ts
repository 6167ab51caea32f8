import type { SloSource } from "../../contracts/slo-source.js";
import { readingOf } from "../../contracts/slo-source.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";
import { noTrafficMeasurement } from "./no-traffic.js";
import type { SimulatedDeployer } from "./simulated-deployer.js";
import { lognormalBuckets } from "./simulated-latency.js";

/** A metric: one value, or one per poll (`null` = no data; the last value repeats). */
export type MetricSeries = number | null | (number | null)[];

/** One track's metrics: error rate, p95 and requests per poll. */
export interface TrackMetrics {
  error_rate: MetricSeries;
  p95_latency_ms: MetricSeries;
  /** Requests per poll (default 1000; null = unknown). */
  requests?: MetricSeries;
}

/** What the service looks like at one canary weight. */
export interface WeightMetrics extends TrackMetrics {
  /** Polls (1-based) at which the query fails with `unavailable`. */
  query_errors_at?: number[];
  /** The stable track while the canary is at this weight (else `stable`, else `default`). */
  stable?: TrackMetrics;
}

/** Metrics keyed by weight (`"5"`, `"25"`, `"100"`), with an optional `default`. */
export type MetricsByWeight = Record<string, WeightMetrics>;

function pick(
  series: MetricSeries | undefined,
  poll: number,
  fallback: number | null,
): number | null {
  if (series === undefined) return fallback;
  if (!Array.isArray(series)) return series;
  if (series.length === 0) return null;
  return series[Math.min(poll - 1, series.length - 1)] ?? null;
}

/** A measurement with counts and a lognormal histogram, from a track's metrics at one poll. */
function measured(m: TrackMetrics, poll: number) {
  const requests = pick(m.requests, poll, 1000);
  const rate = pick(m.error_rate, poll, null);
  const p95 = pick(m.p95_latency_ms, poll, null);
  const errorRate = readingOf(rate);
  const p95LatencyMs = readingOf(p95);
  return {
    errorRate,
    p95LatencyMs,
    sampleCount: requests,
    requestCount: requests,
    errorCount:
      requests !== null && errorRate.kind === "value"
        ? Math.round(errorRate.value * requests)
        : null,
    latencyBuckets:
      requests !== null && p95LatencyMs.kind === "value" && p95LatencyMs.value > 0
        ? lognormalBuckets(requests, p95LatencyMs.value)
        : null,
  };
}

/**
 * An {@link SloSource} that answers from scenario metrics at the deployer's current
 * weight, counting polls from each weight change. The stable track reads `stable`
 * (or `default`).
 */
export function createSimulatedSloSource(
  deployer: SimulatedDeployer,
  metrics: MetricsByWeight,
): SloSource & { queries: number } {
  let weight = -1;
  let poll = 0;
  const source = {
    name: "simulated",
    queries: 0,
    measure(query: Parameters<SloSource["measure"]>[0], { signal }: { signal: AbortSignal }) {
      return guarded(signal, () => {
        source.queries += 1;
        if (query.track === "stable") {
          // At 100% (and after promotion) the stable version serves no traffic.
          if (deployer.state.weight >= 100)
            return noTrafficMeasurement("stable serves no traffic at 100%");
          const m =
            metrics[String(deployer.state.weight)]?.stable ?? metrics.stable ?? metrics.default;
          if (!m)
            return { errorRate: readingOf(null), p95LatencyMs: readingOf(null), sampleCount: null };
          // The stable track's series advances with the canary's polls at this weight.
          return measured(m, Math.max(poll, 1));
        }
        // Polls count from each weight change; promotion at 100% keeps counting, so a
        // "100" series covers the last step and the stabilization window after it.
        if (deployer.state.weight !== weight) {
          weight = deployer.state.weight;
          poll = 0;
        }
        poll += 1;
        const m = metrics[String(deployer.state.weight)] ?? metrics.default;
        if (!m) {
          return {
            errorRate: readingOf(null, `no metrics for weight ${deployer.state.weight}%`),
            p95LatencyMs: readingOf(null, `no metrics for weight ${deployer.state.weight}%`),
            sampleCount: 0,
          };
        }
        if (m.query_errors_at?.includes(poll))
          return new ShipgateError("unavailable", `simulated query failure at poll ${poll}`);
        return {
          ...measured(m, poll),
          queries: [`simulated weight=${deployer.state.weight} poll=${poll}`],
        };
      });
    },
  };
  return source;
}
