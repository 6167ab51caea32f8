import { execFile, spawn } from "node:child_process";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { readFrontMatter } from "@shipgate/core";
import { stringify } from "yaml";
import { CRASH_AFTER_RECORDS_ENV, CRASH_BEFORE_RECORD_ENV } from "../src/crash-point.js";
import { createDemoRepository, type DemoRepository } from "../src/demo-repository.js";
import { BIN, cliEnv } from "./cli-harness.js";

const git = promisify(execFile);

/** The two releases the harness kills: one that succeeds, one that breaches at 25%. */
export type CrashScenario = "success" | "breach";

/**
 * Where a process is killed: right after its Nth journal record, as it is about to write
 * its Nth (after the action the record before announced), or after some milliseconds.
 */
export type KillAt = { afterRecords: number } | { beforeRecord: number } | { afterMs: number };

/** One kill point: kill the release, maybe kill the recovery too, then recover (or release again). */
export interface KillPlan {
  scenario: CrashScenario;
  kill: KillAt;
  /** Kill the first recovery attempt as well (a recovery must itself be crash-safe). */
  killRecovery?: KillAt;
  /** What runs after the crash: `shipgate recover`, or `shipgate release` again. */
  next: "recover" | "release";
}

/** What one kill point found. */
export interface KillPointResult {
  plan: KillPlan;
  label: string;
  /** Records the killed release had journaled. */
  crashedRecords: string[];
  violations: string[];
  exitCode: number | null;
  /** With `race`: the exit codes of the two recoveries run at once. */
  raceCodes?: number[];
}

const VERSION = "v1.4.0";

/** A template git repository copied for every kill point. */
export async function createTemplate(root: string): Promise<DemoRepository> {
  return createDemoRepository(join(root, "template"));
}

function config(scenario: CrashScenario): string {
  const healthy = { error_rate: 0.002, p95_latency_ms: 150 };
  const simulated = {
    state_file: "devops/simulated/deployer.json",
    stable_version: "v1.3.0",
    checks: [{ name: "build", conclusion: "success" }],
    metrics:
      scenario === "breach"
        ? { default: healthy, "25": { error_rate: 0.05, p95_latency_ms: 150 } }
        : { default: healthy },
  };
  return stringify({
    release: {
      service: "checkout",
      environment: "production",
      previous_release_tag: "v1.3.0",
      canary_steps: [5, 25, 100],
      // A short real clock: 0.18 s windows, polled every 0.06 s.
      slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 0.003 },
      stabilization_minutes: 0.003,
      policy: { poll_interval_seconds: 0.06 },
    },
    source_control: {
      use: "git",
      with: {
        remote_url: "https://github.com/acme/checkout",
        tagger: { name: "crash test", email: "crash@shipgate.example" },
      },
    },
    ci: { use: "simulated", with: simulated },
    deployer: { use: "simulated", with: simulated },
    slo: { use: "simulated", with: simulated },
  });
}

/** Runs the CLI in `dir` and resolves once the process has exited (and been reaped). */
export function runUntil(
  args: string[],
  dir: string,
  kill?: KillAt,
  timeoutMs = 60_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env = cliEnv(
      kill && "afterRecords" in kill
        ? { [CRASH_AFTER_RECORDS_ENV]: String(kill.afterRecords) }
        : kill && "beforeRecord" in kill
          ? { [CRASH_BEFORE_RECORD_ENV]: String(kill.beforeRecord) }
          : {},
    );
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
    });
    const timers = [
      setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`shipgate ${args.join(" ")} in ${dir} timed out:\n${output}`));
      }, timeoutMs),
    ];
    if (kill && "afterMs" in kill)
      timers.push(setTimeout(() => child.kill("SIGKILL"), kill.afterMs));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, output });
    });
  });
}

async function readJson(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8"));
}

async function journalTypes(
  dir: string,
): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const text = await readFile(
    join(dir, "devops/status/release-checkout.journal.jsonl"),
    "utf8",
  ).catch(() => "");
  return text
    .split("\n")
    .filter((line, i, all) => line && (i < all.length - 1 || text.endsWith("\n")))
    .map((line) => JSON.parse(line));
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.name === ".git" || entry.name === "node_modules") continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full, base)));
    else out.push(full.slice(base.length + 1));
  }
  return out;
}

/** "after record 3", "before its record 3", "at 420 ms". */
function killDescription(kill: KillAt, its: string): string {
  if ("afterRecords" in kill) return `after ${its}record ${kill.afterRecords}`;
  if ("beforeRecord" in kill) return `before ${its}record ${kill.beforeRecord}`;
  return `at ${kill.afterMs} ms`;
}

/** Runs one kill point in a fresh copy of the template and checks every invariant. */
export async function runKillPoint(
  plan: KillPlan,
  template: DemoRepository,
  dir: string,
  options: { race?: boolean } = {},
): Promise<KillPointResult> {
  const label = `${plan.scenario}: kill ${killDescription(plan.kill, "")}${plan.killRecovery ? `, kill the ${plan.next} ${killDescription(plan.killRecovery, "its ")}` : ""}, then ${plan.next}`;
  const violations: string[] = [];
  const fail = (what: string) => violations.push(`${label}: ${what}`);
  await cp(template.dir, dir, { recursive: true });
  await writeFile(join(dir, "shipgate.yaml"), config(plan.scenario), "utf8");
  const release = ["release", "--version", VERSION, "--sha", template.headSha, "--quiet"];
  const nextArgs = plan.next === "recover" ? ["recover", "--quiet"] : release;

  const first = await runUntil(release, dir, plan.kill);
  const crashed = await journalTypes(dir);
  const crashedRecords = crashed.map((r) => r.type);
  const crashedFinished = crashedRecords.at(-1) === "finished";
  if (first.signal !== "SIGKILL" && !crashedFinished)
    fail(
      `the release was not killed and did not finish (exit ${first.code}): ${first.output.slice(-400)}`,
    );
  if (plan.killRecovery) await runUntil(nextArgs, dir, plan.killRecovery);
  // Two runners racing: both recover at once; the last to finish stands for "the next step".
  const raced = options.race
    ? await Promise.all([runUntil(nextArgs, dir), runUntil(nextArgs, dir)])
    : null;
  const last = raced
    ? (raced.find((r) => r.code === 3) ?? raced[0]!)
    : await runUntil(nextArgs, dir);
  if (last.signal) fail(`the final ${plan.next} died of ${last.signal}`);

  // The lock is free.
  const files = await walk(dir);
  if (files.includes("devops/status/release-checkout.lock")) fail("the lock is still held");
  // No JSON artifact is truncated; the journal is whole and closed.
  for (const f of files.filter((f) => f.endsWith(".json"))) {
    await readJson(join(dir, f)).catch(() => fail(`${f} is not valid JSON (truncated?)`));
  }
  const journal = await journalTypes(dir).catch(() => {
    fail("the journal is not valid JSON lines");
    return [];
  });
  if (journal.length && journal.at(-1)?.type !== "finished")
    fail(`the journal ends with ${journal.at(-1)?.type}, not finished`);
  // Production is on exactly one version, and it is the right one.
  const deployer = (await readJson(join(dir, "devops/simulated/deployer.json")).catch(
    () => null,
  )) as {
    stableVersion: string;
    canaryVersion: string | null;
    weight: number;
    phase: string;
    actions: { action: string; effective?: boolean }[];
  } | null;
  const actions = deployer?.actions ?? [];
  if (deployer) {
    if (deployer.canaryVersion !== null || deployer.phase !== "healthy")
      fail(
        `production is not on one version: canary ${deployer.canaryVersion} at ${deployer.weight}%, phase ${deployer.phase}`,
      );
  }
  const stable = deployer?.stableVersion ?? "v1.3.0";
  const crashedSucceeded = crashed.some((r) => r.type === "outcome" && r.data.status === "SUCCESS");
  const crashedDeployed = crashedRecords.includes("deploy.start");
  const final = journal.at(-1)?.type === "finished" ? journal.at(-1)!.data : null;
  const expectLive = final?.status === "SUCCESS";
  if (plan.scenario === "breach" && expectLive) fail("a breaching release ended as SUCCESS");
  if (crashedSucceeded && !expectLive)
    fail("a release that had succeeded before the crash was not left live");
  if (stable !== (expectLive ? VERSION : "v1.3.0"))
    fail(`stable is ${stable}, but the last release finished ${final?.status}`);
  if (stable === "v1.3.0" && actions.some((a) => a.action === "start")) {
    const verification = [...journal].reverse().find((r) => r.type === "verification");
    if (verification?.data.verified !== true) fail("the rollback is not verified in the journal");
  }
  // Nothing rolled back twice (within one release attempt), nothing promoted after a breach.
  let undo = 0;
  for (const a of actions) {
    if (a.action === "start") undo = 0;
    if (a.action === "rollback" && a.effective && ++undo > 1)
      fail("rolled back twice in one attempt");
  }
  if (plan.scenario === "breach" && actions.some((a) => a.action === "promote"))
    fail("promoted a breaching canary");
  for (const j of [crashed, journal]) {
    const breach = j.findIndex((r) => r.type === "step.verdict" && r.data.result !== "passed");
    if (breach >= 0 && j.slice(breach).some((r) => r.type === "promote"))
      fail("promote journaled after a breach");
  }
  // Exactly one report per attempt (attempts 0…k-1, no gaps), each final, naming what happened.
  // Reports only: the canary chart (`.svg`) sits beside its report.
  const reports = files.filter((f) => f.startsWith("devops/reports/") && f.endsWith(".md"));
  const names = reports.map((r) => r.slice("devops/reports/".length));
  const attempts = names.length;
  const expectedNames = Array.from(
    { length: attempts },
    (_, i) => `release-${VERSION}${i ? `-retry${i}` : ""}.md`,
  );
  if (JSON.stringify([...names].sort()) !== JSON.stringify([...expectedNames].sort()))
    fail(`reports ${JSON.stringify(names)} are not one per attempt`);
  if (crashedRecords.length && attempts === 0) fail("no report for the crashed attempt");
  // Each attempt files one incident at most, even when a kill fell between filing it and
  // journaling that.
  const incidents = files.filter((f) => f.startsWith("incidents/") && f.endsWith(".md"));
  if (incidents.length > attempts)
    fail(`${incidents.length} incidents for ${attempts} attempts: ${incidents.join(", ")}`);
  for (const r of reports) {
    const fm = readFrontMatter(await readFile(join(dir, r), "utf8"));
    if (!fm || fm.status === "IN_PROGRESS") fail(`${r} is not final (${fm?.status})`);
  }
  const lastReport = (journal[0]?.data.report as { path?: string } | undefined)?.path;
  if (journal.length && !reports.includes(lastReport ?? ""))
    fail(`the last attempt's report ${lastReport} is missing`);
  if (crashedRecords.length && !crashedFinished) {
    const text = await readFile(join(dir, `devops/reports/release-${VERSION}.md`), "utf8").catch(
      () => "",
    );
    const fm = readFrontMatter(text);
    if (crashedSucceeded) {
      if (fm?.status !== "SUCCESS" || !text.includes("RECOVERED AFTER A CRASH"))
        fail("the crashed, successful attempt's report does not say it was recovered");
    } else if (fm?.reason !== "recovered_after_crash")
      fail(
        `the crashed attempt's report says ${fm?.status}/${fm?.reason}, not recovered_after_crash`,
      );
    if (crashedDeployed && !crashedSucceeded && !files.some((f) => f.startsWith("incidents/")))
      fail("no incident filed for the rolled-back canary");
  }
  // The tag, if created, points at the release sha.
  const tag = await git("git", [
    "-C",
    dir,
    "rev-parse",
    "-q",
    "--verify",
    `refs/tags/${VERSION}^{commit}`,
  ]).then(
    (r) => r.stdout.trim(),
    () => null,
  );
  if (tag !== null && tag !== template.headSha)
    fail(`tag ${VERSION} points at ${tag}, not ${template.headSha}`);
  if (
    crashedRecords.includes("validated") &&
    crashedRecords.includes("deploy.start") &&
    tag === null
  )
    fail("a canary ran without its tag");
  // The final step's exit code says what happened.
  const okCodes = plan.next === "recover" ? [0, 1, 3] : [0, 1, 3];
  if (!okCodes.includes(last.code ?? -1))
    fail(`the final ${plan.next} exited ${last.code}: ${last.output.slice(-300)}`);
  return {
    plan,
    label,
    crashedRecords,
    violations,
    exitCode: last.code,
    raceCodes: raced?.map((r) => r.code ?? -1),
  };
}

/** Runs plans `parallel` at a time. */
export async function runKillPoints(
  plans: KillPlan[],
  template: DemoRepository,
  root: string,
  parallel: number,
): Promise<KillPointResult[]> {
  await mkdir(root, { recursive: true });
  const results: KillPointResult[] = new Array(plans.length);
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const i = next++;
      results[i] = await runKillPoint(plans[i]!, template, join(root, `point-${i}`)).catch(
        (error: unknown) => ({
          plan: plans[i]!,
          label: `point ${i}`,
          crashedRecords: [],
          violations: [`point ${i}: harness error: ${String(error)}`],
          exitCode: null,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}
