#!/usr/bin/env node
// The judgement benchmark: labelled canary traces through the real orchestrator, one table
// per judge. Run with `pnpm bench:judge` (builds first); `--traces N`, `--seed S`, `--json`,
// `--judge threshold|statistical|oracle|oracle_vs_stable` (repeatable; default all; the
// oracles know each trace's truth and bound recall; `--no-oracle` leaves them out), `--runs` (with
// `--json`: every run, to see where each rollback came from), `--summary`
// (one line per judge, for `pnpm bench`), `--workers N` (default: up to 2 threads; the
// figures do not depend on it). Prints figures; asserts nothing.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const root = new URL("..", import.meta.url).pathname;
const kit = await import(join(root, "packages/core/dist/testing/simulation.js"));

// A worker runs every `of`-th trace, from `index`; each run depends on its trace only.
if (!isMainThread) {
  const { count, seed, judges, index, of } = workerData;
  const traces = kit.generateCanaryTraces({ count, seed }).filter((t) => t.id % of === index);
  parentPort.postMessage(await kit.runJudgeBenchmark({ traces, judges }));
  process.exit(0);
}

const { values } = parseArgs({
  options: {
    traces: { type: "string", default: "2000" },
    seed: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    summary: { type: "boolean", default: false },
    runs: { type: "boolean", default: false },
    judge: { type: "string", multiple: true },
    workers: { type: "string", default: String(Math.min(2, availableParallelism())) },
    "no-oracle": { type: "boolean", default: false },
  },
});
const count = Number(values.traces);
const seed = Number(values.seed);
const usage = (message) => {
  console.error(`bench-judge: ${message}`);
  process.exit(2);
};
if (!Number.isInteger(count) || count < 1) usage("--traces must be a positive integer");
if (!Number.isInteger(seed)) usage("--seed must be an integer");
const workers = Number(values.workers);
if (!Number.isInteger(workers) || workers < 1) usage("--workers must be a positive integer");
// The oracle (a judge that knows each trace's truth) bounds recall; `--no-oracle` skips it.
const ORACLES = ["oracle", "oracle_vs_stable"];
const judges = values.judge ?? [...kit.JUDGE_KINDS, ...(values["no-oracle"] ? [] : ORACLES)];
for (const judge of judges) {
  if (!kit.JUDGE_KINDS.includes(judge) && !ORACLES.includes(judge))
    usage(`--judge ${judge}: the judges are ${[...kit.JUDGE_KINDS, ...ORACLES].join(", ")}`);
}

const started = performance.now();
const cpuStarted = process.cpuUsage();
const runs = (
  await Promise.all(
    Array.from(
      { length: workers },
      (_, index) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL(import.meta.url), {
            workerData: { count, seed, judges, index, of: workers },
          });
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
    ),
  )
)
  .flat()
  .sort((a, b) => a.traceId - b.traceId || judges.indexOf(a.judge) - judges.indexOf(b.judge));
const tables = judges.map((judge) => kit.summarizeJudgeRuns(judge, runs));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// Every proportion in the JSON also gets its rate and 95% Wilson interval.
function withIntervals(value) {
  if (Array.isArray(value) || value === null || typeof value !== "object") return value;
  if (typeof value.count === "number" && typeof value.of === "number")
    return {
      ...value,
      rate: value.of ? value.count / value.of : null,
      interval95: kit.wilsonInterval95(value),
    };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withIntervals(v)]));
}

if (values.json) {
  const threshold = tables.find((t) => t.judge === "threshold");
  console.log(
    JSON.stringify(
      {
        traces: count,
        seed,
        runtimeSeconds: Number(seconds.toFixed(2)),
        cpuSeconds: Number(cpuSeconds.toFixed(2)),
        release: { canarySteps: [5, 25, 100], windowMinutes: 10, pollSeconds: 60 },
        judges: tables.map((t) => ({
          ...withIntervals(t),
          healthyReleaseRatioVsThreshold: threshold ? kit.healthyReleaseRatio(t, threshold) : null,
        })),
        ...(values.runs ? { runs } : {}),
      },
      null,
      2,
    ),
  );
} else if (values.summary) {
  const threshold = tables.find((t) => t.judge === "threshold");
  for (const t of tables.filter((t) => !kit.isOracle(t.judge))) {
    const at = (p) => (p.of ? `${((100 * p.count) / p.of).toFixed(1)}%` : "–");
    const ratio = threshold ? kit.healthyReleaseRatio(t, threshold)["200+"] : null;
    const m = (x) => (x === null ? "–" : x.toFixed(1));
    const exposure = `${m(t.medianExposureMinutes["200+"])} min (from onset ${m(t.medianRegressionExposureMinutes["200+"])}, ${m(t.medianRegressionFullTrafficMinutes["200+"])} of full traffic; ${m(t.medianImmediateRegressionExposureMinutes["200+"])} for immediate regressions)`;
    console.log(
      `core: judgement benchmark, ${t.judge} judge (${count} traces, ≥200 req/min): recall error ×2 ${at(t.recall.error_x2["200+"])}, p95 +30% ${at(t.recall["p95_+30%"]["200+"])}; false rollbacks healthy ${at(t.falseRollback.healthy["200+"])}, shared noise ${at(t.falseRollback.shared_noise["200+"])}; median exposure ${exposure}; healthy release ${ratio === null ? "–" : ratio.toFixed(2)}× threshold's (${seconds.toFixed(1)} s for all judges)`,
    );
  }
} else {
  console.log(
    `Judgement benchmark: ${count} traces (seed ${seed}), canary 5/25/100%, 10-minute windows, 60-s polls, stabilization 10 min`,
  );
  console.log(
    "objectives 1% errors, p95 300 ms; stable at 20–60% of the error objective, p95 with 20–60% headroom\n",
  );
  console.log(kit.formatJudgeBenchmarkTables(tables.filter((t) => !kit.isOracle(t.judge))));
  const oracles = tables.filter((t) => kit.isOracle(t.judge));
  if (oracles.length) {
    console.log(
      "\nrecall bounds: an oracle knows stable's true error rate and latency and each regression's size, and runs a\n" +
        "CUSUM of the exact likelihood ratio, breach at ×1000, full windows: over all canary traffic (oracle), and\n" +
        "over the polls where stable also serves, as a judge with a concurrent baseline sees them (oracle_vs_stable)",
    );
    console.log(kit.formatJudgeBenchmarkTables(oracles, { recallOnly: true }));
  }
  const real = judges.find((j) => !ORACLES.includes(j)) ?? judges[0];
  const per = (group) => runs.filter((r) => r.judge === real && r.group === group).length;
  const regressions = kit.REGRESSION_SIZES.map(per);
  console.log(
    `\ntraces: ${per("healthy")} healthy, ${per("shared_noise")} shared noise, ${Math.min(...regressions)}–${Math.max(...regressions)} per regression size; a quarter per traffic tier`,
  );
  console.log(
    `runtime: ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s of CPU) for ${runs.length} releases`,
  );
}
