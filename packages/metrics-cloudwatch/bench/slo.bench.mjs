// Benchmark: one SLO check (one `measure()` call = one track) against the local CloudWatch
// emulator, through the real AWS SDK over real HTTP on 127.0.0.1. Run after `tsup`.
import { createCloudWatchSloSource } from "../dist/index.js";
import { albMetrics, LOAD_BALANCER, sloQuery, startCloudWatchEmulator } from "../dist/testing.js";

const CHECKS = 200;
const cw = await startCloudWatchEmulator();
try {
  cw.seed(
    ...albMetrics({ track: "canary", requests: 1000, errors: 5, latencyStepSeconds: 0.002 }),
    ...albMetrics({ track: "stable", requests: 4000, errors: 4, latencyStepSeconds: 0.001 }),
  );
  const source = createCloudWatchSloSource({
    region: "us-east-1",
    endpoint: cw.url,
    credentials: { accessKeyId: "AKIDTESTNOTREAL", secretAccessKey: "test-secret-not-real" },
    dimensions: {
      LoadBalancer: LOAD_BALANCER,
      TargetGroup: "targetgroup/{{service}}-{{track}}/6d0ecf831eec9f09",
    },
  });
  const signal = new AbortController().signal;
  const check = async (track) => {
    const r = await source.measure(
      sloQuery(track === "canary" ? {} : { version: "1.3.0", track: "stable" }),
      { signal },
    );
    if (r.isErr()) throw new Error(`${r.error.kind}: ${r.error.message}`);
    if (r.value.errorRate.kind !== "value") throw new Error("expected a value");
  };
  for (let i = 0; i < 10; i++) await check("canary");
  cw.reset();
  const durations = [];
  for (let i = 0; i < CHECKS; i++) {
    const started = performance.now();
    await check(i % 2 === 0 ? "canary" : "stable");
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  const p50 = durations[Math.floor(durations.length / 2)];
  console.log(`metrics-cloudwatch: requests per SLO check = ${cw.requests.length / CHECKS}`);
  console.log(
    `metrics-cloudwatch: p50 latency of one check = ${p50.toFixed(2)} ms (over ${CHECKS} checks)`,
  );
} finally {
  await cw.close();
}
