export {
  expectedErrorCount,
  expectedErrorRate,
  expectedHistogramQuantile,
  expectedLatencyBuckets,
  expectedRequestCount,
  type TrafficFixture,
  type TrafficSeries,
  trafficOpenMetrics,
} from "./testing/openmetrics-fixture.js";
export {
  findPrometheusBinaries,
  type PrometheusBinaries,
  type PrometheusTestServer,
  type PrometheusTestServerOptions,
  startPrometheusTestServer,
} from "./testing/prometheus-test-server.js";
