import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createReleaseOrchestrator, createSystemClock, releaseSpecSchema } from "@shipgate/core";
import type { MetricsByWeight } from "@shipgate/core/simulation";
import { stringify } from "yaml";
import { chooseReporter } from "./choose-reporter.js";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { loadConfigFile } from "./config-file.js";
import { createDemoRepository, DEMO_PULL_REQUESTS } from "./demo-repository.js";
import { didYouMeanSuffix } from "./did-you-mean.js";
import { handleInterrupts } from "./interrupt.js";
import { buildReleaseStack } from "./stack-builder.js";
import { loadTestingKitFor } from "./testing-kit.js";

/** The demo's scenarios. */
export const DEMO_SCENARIOS = ["success", "breach", "ci-red"] as const;
type DemoScenario = (typeof DEMO_SCENARIOS)[number];

const HEALTHY = {
  error_rate: [0.0021, 0.0026, 0.0019, 0.0024],
  p95_latency_ms: [182, 191, 187, 179],
  requests: 1200,
};

/** Metrics per canary weight: the breach scenario's error rate climbs past 1% at 25%. */
function demoMetrics(scenario: DemoScenario): MetricsByWeight {
  if (scenario !== "breach") return { default: HEALTHY, stable: HEALTHY };
  return {
    default: HEALTHY,
    stable: HEALTHY,
    "25": { error_rate: [0.0041, 0.0087, 0.0234], p95_latency_ms: [205, 244, 298], requests: 1200 },
  };
}

function demoChecks(scenario: DemoScenario) {
  return [
    { name: "build", conclusion: "success" as const },
    { name: "unit-tests", conclusion: "success" as const },
    { name: "lint", conclusion: "success" as const },
    {
      name: "e2e",
      conclusion: scenario === "ci-red" ? ("failure" as const) : ("success" as const),
    },
  ];
}

const positiveNumber = (value: unknown, flag: string): number | string | null => {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0
    ? n
    : `${flag} must be a positive number of seconds, got ${JSON.stringify(value)}`;
};

/**
 * `shipgate demo`: a throwaway git repository with a realistic history (real git), then a
 * full release of it on the embedded stack — git source control, file lock and journal,
 * file incidents, markdown changelog, fs artifacts in the demo directory — with the
 * `simulated` provider (deployer state in a file, metrics, fake CI), on a virtual clock
 * (seconds of real time). The directory keeps its `shipgate.yaml`, so `shipgate recover`
 * or `shipgate status` can be run there. Prints where the report, the incident and the
 * changelog are. Exit code: the release's.
 *
 * Hidden knobs for rehearsing Ctrl-C and the live view: `--real-time` (wall clock),
 * `--window-seconds` (per canary step) and `--poll-seconds`.
 */
export async function runDemoCommand(flags: Record<string, unknown>, io: CliIo): Promise<number> {
  const mode = outputMode(io, flags);
  const c = mode.colors;
  const scenario = (
    typeof flags.scenario === "string" ? flags.scenario : "success"
  ) as DemoScenario;
  const problems = [];
  if (!DEMO_SCENARIOS.includes(scenario)) {
    problems.push({
      key: "--scenario",
      message: `unknown demo scenario ${JSON.stringify(scenario)}${didYouMeanSuffix(scenario, DEMO_SCENARIOS)}`,
      hint: `choose one of ${DEMO_SCENARIOS.join(", ")}`,
    });
  }
  const realTime = flags["real-time"] === true;
  const windowSeconds = positiveNumber(flags["window-seconds"], "--window-seconds");
  const pollSeconds = positiveNumber(flags["poll-seconds"], "--poll-seconds");
  for (const [value, key] of [
    [windowSeconds, "--window-seconds"],
    [pollSeconds, "--poll-seconds"],
  ] as const) {
    if (typeof value === "string") problems.push({ key, message: value, hint: "e.g. 2" });
  }
  let dir: string;
  if (typeof flags.dir === "string") {
    dir = resolve(io.cwd, flags.dir);
    const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) =>
      e.code === "ENOENT" ? [] : null,
    );
    if (entries === null || entries.length > 0) {
      problems.push({
        key: "--dir",
        message: `${flags.dir} ${entries === null ? "cannot be read" : "is not empty"}`,
        hint: "choose a new or empty directory (the demo creates a git repository there)",
      });
    }
  } else {
    dir = "";
  }
  if (problems.length) {
    printProblems(io, mode, problems);
    return 1;
  }
  const kit = await loadTestingKitFor(io, mode);
  if (!kit) return 1;
  if (!dir) dir = await mkdtemp(join(tmpdir(), "shipgate-demo-"));
  else await mkdir(dir, { recursive: true });

  const say = (line: string) => {
    if (mode.json) return;
    if (!mode.quiet) io.stdout.write(`${line}\n`);
  };
  say(`${c.bold("shipgate demo")} (${scenario}): building a git repository in ${dir}`);
  if (mode.json) io.stdout.write(`${JSON.stringify({ type: "demo.started", scenario, dir })}\n`);

  const repo = await createDemoRepository(dir);
  say(
    `  ${DEMO_PULL_REQUESTS.length} pull requests merged since ${repo.previousTag}; releasing v1.4.0 at ${repo.headSha.slice(0, 7)}${realTime ? "" : " on a virtual clock"}`,
  );

  const clock = realTime ? createSystemClock() : kit.createVirtualClock(Date.now());
  const windowMinutes =
    typeof windowSeconds === "number" ? windowSeconds / 60 : realTime ? 0.1 : 10;
  const pollInterval =
    typeof pollSeconds === "number"
      ? pollSeconds
      : realTime
        ? Math.max(0.2, (windowMinutes * 60) / 4)
        : 60;
  const input = {
    service: "checkout",
    environment: "production",
    version: "v1.4.0",
    sha: repo.headSha,
    previous_release_tag: repo.previousTag,
    canary_steps: [5, 25, 100],
    slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: windowMinutes },
    dashboards: {
      Grafana: "https://grafana.acme.example/d/checkout/checkout-overview",
      Runbook: "https://runbooks.acme.example/checkout/rollback",
    },
    policy: { poll_interval_seconds: pollInterval, ci_poll_seconds: pollInterval },
  };
  const spec = releaseSpecSchema.parse(input);

  // The demo leaves in its directory what a recovery needs: its config, and the simulated
  // platform's state in a file (`shipgate recover` there finishes a killed demo).
  const simulated = {
    state_file: "devops/simulated/deployer.json",
    stable_version: repo.previousTag,
    checks: demoChecks(scenario),
    metrics: demoMetrics(scenario),
    // On the virtual clock the simulated platform takes as long as a real one to restore
    // the previous revision, so the incident's rollback duration reads like one.
    rollback_seconds: realTime ? 0 : 102,
  };
  const config = {
    release: input,
    source_control: {
      use: "git",
      with: {
        release_branch: "main",
        remote_url: repo.remoteUrl,
        tagger: { name: "shipgate demo", email: "demo@shipgate.example" },
        // The demo's repository is throwaway: its tag goes nowhere, and is never signed.
        push: false,
        sign: false,
      },
    },
    ci: { use: "simulated", with: simulated },
    deployer: { use: "simulated", with: simulated },
    slo: { use: "simulated", with: simulated },
  };
  await writeFile(
    join(dir, "shipgate.yaml"),
    `# Written by \`shipgate demo\`: a simulated platform whose state lives in ${simulated.state_file}.\n${stringify(config, { lineWidth: 0 })}`,
    "utf8",
  );
  const loaded = await loadConfigFile("shipgate.yaml", { cwd: dir });
  const built = loaded.ok
    ? await buildReleaseStack({ loaded: loaded.loaded, spec, clock, env: io.env })
    : { ok: false as const, problems: loaded.problems };
  if (!built.ok) {
    printProblems(io, mode, built.problems, join(dir, "shipgate.yaml"));
    return 1;
  }
  const { stack } = built.built;

  const reporter = chooseReporter(io, mode, spec);
  const controller = new AbortController();
  const removeHandlers = handleInterrupts(controller, reporter);
  try {
    const outcome = await createReleaseOrchestrator(stack).release(input, {
      signal: controller.signal,
      onEvent: (event) => reporter.onEvent(event),
    });
    reporter.finish(outcome, { artifactsRoot: dir, absolutePaths: true });
    if (mode.json) {
      io.stdout.write(
        `${JSON.stringify({
          type: "demo.finished",
          dir,
          report: outcome.paths.report ? join(dir, outcome.paths.report) : null,
          incident: outcome.paths.incident ? join(dir, outcome.paths.incident) : null,
          changelog: changelogPath(dir, outcome.paths.all),
          exitCode: outcome.exitCode,
        })}\n`,
      );
    } else if (!mode.quiet) {
      io.stdout.write(`  demo repo: ${dir}\n`);
      io.stdout.write(`  history:   git -C ${dir} log --oneline --first-parent v1.3.0..main\n`);
    }
    return outcome.exitCode;
  } finally {
    reporter.dispose();
    removeHandlers();
  }
}

function changelogPath(dir: string, paths: readonly string[]): string | null {
  const found = paths.find((p) => p.endsWith("prs-in-release.json"));
  return found ? join(dir, found) : null;
}
