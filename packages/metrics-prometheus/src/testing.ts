export {
  expectedErrorCount,
  expectedErrorRate,
  expectedHistogramQuantile,
  expectedLatencyBuckets,
  expectedRequestCount,
  type TrafficFixture,
  type TrafficSeries,
  trafficOpenMetrics,
} from "./openmetrics-fixture.js";
export {
  findPrometheusBinaries,
  type PrometheusBinaries,
  type PrometheusTestServer,
  type PrometheusTestServerOptions,
  startPrometheusTestServer,
} from "./prometheus-test-server.js";
