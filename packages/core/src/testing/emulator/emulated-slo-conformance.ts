import type { SloQuery, SloSource } from "../../contracts/slo-source.js";
import type { SloSourceConformanceSetup } from "../conformance/slo-source-conformance.js";
import type { Closable } from "../emulator-lifecycle.js";
import { CONFORMANCE_TRAFFIC, fixtureSloQuery } from "./metric-points.js";

/**
 * The SLO-source conformance setup of a metrics adapter over its emulator, seeded with
 * {@link CONFORMANCE_TRAFFIC}: the healthy and breaching queries expect that traffic's
 * figures, an unknown service has no data, the source counts requests and errors but gives
 * no latency buckets, and the emulator is closed after the suite.
 *
 * @example
 * ```ts
 * describeSloSourceConformance("datadog (emulated)", async () => {
 *   const dd = await startDatadogEmulator();
 *   dd.seed(…);
 *   return emulatedSloConformanceSetup(dd, source, { healthy: sloQuery(), breaching: … });
 * });
 * ```
 */
export function emulatedSloConformanceSetup(
  emulator: Closable,
  source: SloSource,
  queries: { healthy: SloQuery; breaching: SloQuery },
): SloSourceConformanceSetup {
  const { healthy, breaching } = CONFORMANCE_TRAFFIC;
  return {
    source,
    healthy: { query: queries.healthy, ...healthy.expected },
    breaching: { query: queries.breaching, ...breaching.expected },
    capabilities: { counts: true, latencyBuckets: false },
    noData: fixtureSloQuery({ service: "unknown-service" }),
    cleanup: () => emulator.close(),
  };
}
