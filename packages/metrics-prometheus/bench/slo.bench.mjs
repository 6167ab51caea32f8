// Measures one SLO check (one SloSource.measure call) against a real Prometheus started
// here with backfilled data. Run after `tsup`: node bench/slo.bench.mjs
import { sloCheckBenchmarkLines, timeChecks } from "@shipgate/core/testing/emulator";
import { createPrometheusSloSource } from "../dist/index.js";
import {
  findPrometheusBinaries,
  startPrometheusTestServer,
  trafficOpenMetrics,
} from "../dist/testing.js";

const CHECKS = 200;
const WARMUP = 20;

if (!findPrometheusBinaries()) {
  console.log(
    "metrics-prometheus: bench skipped (prometheus not installed: apt-get install prometheus)",
  );
  process.exit(0);
}

const end = new Date("2023-11-14T22:13:20Z");
const buckets = (...c) => [0.05, 0.1, 0.2, 0.3, 0.5, 1].map((le, i) => [le, c[i]]);
const series = [];
for (const instance of ["a", "b", "c", "d"]) {
  series.push({
    labels: { service: "checkout", version: "1.5.0", instance },
    requestsPerInterval: { 200: 198, 404: 1, 500: 1 },
    latencyBuckets: buckets(60, 191, 198, 200, 200, 200),
  });
  series.push({
    labels: { service: "checkout", version: "1.4.0", instance },
    requestsPerInterval: { 200: 399, 500: 1 },
    latencyBuckets: buckets(350, 395, 398, 400, 400, 400),
  });
}

const server = await startPrometheusTestServer({
  openMetrics: trafficOpenMetrics({ end, durationSeconds: 1800, intervalSeconds: 15, series }),
});
try {
  let requests = 0;
  const slo = createPrometheusSloSource({
    url: server.url,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  const query = {
    service: "checkout",
    environment: "prod",
    version: "1.5.0",
    track: "canary",
    windowStart: new Date(end.getTime() - 600_000),
    windowEnd: end,
  };
  const signal = new AbortController().signal;
  const { p50Ms } = await timeChecks(
    async () => {
      const m = (await slo.measure(query, { signal }))._unsafeUnwrap();
      if (m.errorRate.kind !== "value" || Math.abs(m.errorRate.value - 0.005) > 1e-9) {
        throw new Error(`unexpected measurement ${JSON.stringify(m.errorRate)}`);
      }
    },
    { warmup: WARMUP, checks: CHECKS, afterWarmup: () => (requests = 0) },
  );
  const figures = { requests, checks: CHECKS, p50Ms };
  for (const line of sloCheckBenchmarkLines("metrics-prometheus", figures)) console.log(line);
} finally {
  await server.stop();
}
