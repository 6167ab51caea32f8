import type { SloSource } from "../../contracts/slo-source.js";
import { readingOf } from "../../contracts/slo-source.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";
import type { SimulatedDeployer } from "./simulated-deployer.js";

/** A metric: one value, or one per poll (`null` = no data; the last value repeats). */
export type MetricSeries = number | null | (number | null)[];

/** What the service looks like at one canary weight. */
export interface WeightMetrics {
  error_rate: MetricSeries;
  p95_latency_ms: MetricSeries;
  /** Requests per poll (default 1000; null = unknown). */
  requests?: MetricSeries;
  /** Polls (1-based) at which the query fails with `unavailable`. */
  query_errors_at?: number[];
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
          const m = metrics.stable ?? metrics.default;
          if (!m)
            return { errorRate: readingOf(null), p95LatencyMs: readingOf(null), sampleCount: null };
          return {
            errorRate: readingOf(pick(m.error_rate, 1, null)),
            p95LatencyMs: readingOf(pick(m.p95_latency_ms, 1, null)),
            sampleCount: pick(m.requests, 1, 1000),
          };
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
        const requests = pick(m.requests, poll, 1000);
        return {
          errorRate: readingOf(pick(m.error_rate, poll, null)),
          p95LatencyMs: readingOf(pick(m.p95_latency_ms, poll, null)),
          sampleCount: requests,
          queries: [`simulated weight=${deployer.state.weight} poll=${poll}`],
        };
      });
    },
  };
  return source;
}
