import type { ReleaseEvent, ReleaseOutcome } from "@shipgate/core";
import { CSI, fitLine } from "./ansi.js";
import type { CliIo, OutputMode } from "./cli-io.js";
import { describeEvent, duration, millis, outcomeLine, percent, shortSha } from "./event-format.js";
import { type FinishContext, type ReleaseReporter, summaryLines } from "./reporter.js";

type GateStatus = "running" | "ok" | "fail";

interface StepView {
  weight: number;
  label: string;
  status: "pending" | "running" | "passed" | "breached" | "cancelled";
  windowMs: number | null;
  elapsedMs: number;
  errorRate: number | null;
  p95LatencyMs: number | null;
  verdict: string | null;
  /** What the judge weighs: canary requests in the step, and canary ÷ stable. */
  requests: number | null;
  errorRateRatio: number | null;
  p95Ratio: number | null;
}

interface EnvironmentView {
  name: string;
  wave: number;
  status: string;
  step: StepView | null;
  detail: string;
}

/** What the live view knows before the first event (from the validated release input). */
export interface LiveViewPlan {
  canarySteps: number[];
  errorRateMax: number;
  p95LatencyMs: number;
  windowMs: number;
  /** Whether a stabilization window follows the last step. */
  stabilization: boolean;
  /** A release with waves: a row per environment instead of the step list. */
  waves?: string[][];
}

/** Options of {@link createLiveView}. */
export interface LiveViewOptions {
  plan?: LiveViewPlan;
  /** Minimum ms between redraws (default 80). */
  throttleMs?: number;
  /** Terminal size; defaults to the stream's (or 100×40). */
  columns?: number;
  rows?: number;
}

const SPINNER = ["◐", "◓", "◑", "◒"];
const LOG_LINES = 5;

/** What a poll says about its step: the step's own readings where the event carries them. */
function pollReadings(event: Extract<ReleaseEvent, { type: "canary.poll" }>) {
  return {
    elapsedMs: event.elapsedMs,
    windowMs: event.windowMs,
    errorRate: event.stepErrorRate ?? event.errorRate,
    p95LatencyMs: event.stepP95LatencyMs ?? event.p95LatencyMs,
    verdict: event.verdict,
    requests: event.stepRequests ?? event.sampleCount,
  };
}

/**
 * The terminal view: the gates (lock, validation, CI, sign-off, preflight, tag), then each
 * canary step with its weight, how far its window is, and the latest error rate and p95
 * against the objective — redrawn in place with cursor moves (throttled), the cursor
 * hidden meanwhile and restored on dispose or exit. After the release, the final block
 * stays and the summary is printed below it.
 */
export function createLiveView(
  io: CliIo,
  mode: OutputMode,
  options: LiveViewOptions = {},
): ReleaseReporter {
  const c = mode.colors;
  const out = io.stdout;
  const throttleMs = options.throttleMs ?? 80;
  const startedReal = Date.now();
  let header = "shipgate: starting…";
  const gates: { key: string; label: string; status: GateStatus; detail: string }[] = [];
  const steps: StepView[] = [];
  let objective: { errorRateMax: number; p95Max: number; windowMs: number } | null = null;
  let rollback: { status: GateStatus; message: string } | null = null;
  const log: string[] = [];
  let finished: ReleaseOutcome | null = null;
  let drawnLines = 0;
  let lastDraw = 0;
  let pending: NodeJS.Timeout | null = null;
  let frame = 0;
  let disposed = false;

  if (options.plan) {
    const p = options.plan;
    objective = { errorRateMax: p.errorRateMax, p95Max: p.p95LatencyMs, windowMs: p.windowMs };
    if (!p.waves) {
      for (const w of p.canarySteps) steps.push(newStep(w, `${w}%`));
      if (p.stabilization) steps.push(newStep(100, "stabilize"));
    }
  }

  function newStep(weight: number, label: string): StepView {
    return {
      weight,
      label,
      status: "pending",
      windowMs: null,
      elapsedMs: 0,
      errorRate: null,
      p95LatencyMs: null,
      verdict: null,
      requests: null,
      errorRateRatio: null,
      p95Ratio: null,
    };
  }

  const gate = (key: string, label: string, status: GateStatus, detail: string) => {
    const found = gates.find((g) => g.key === key);
    if (found) Object.assign(found, { status, detail });
    else gates.push({ key, label, status, detail });
  };
  const currentStep = () => steps.find((s) => s.status === "running");
  const stepFor = (weight: number, label = `${weight}%`) => {
    let step = steps.find((s) => s.label === label && s.status !== "passed");
    if (!step) step = steps.find((s) => s.label === label);
    if (!step) {
      step = newStep(weight, label);
      const stabilize = steps.findIndex((s) => s.label === "stabilize");
      if (label !== "stabilize" && stabilize >= 0) steps.splice(stabilize, 0, step);
      else steps.push(step);
    }
    return step;
  };
  const addLog = (line: string) => {
    log.push(line);
    if (log.length > LOG_LINES) log.shift();
  };

  /** A release with waves: one row per environment instead of the step list. */
  const environments: EnvironmentView[] = (options.plan?.waves ?? []).flatMap((wave, i) =>
    wave.map((name) => ({ name, wave: i + 1, status: "pending", step: null, detail: "" })),
  );
  const environmentView = (name: string) => {
    let env = environments.find((e) => e.name === name);
    if (!env) {
      env = { name, wave: 0, status: "pending", step: null, detail: "" };
      environments.push(env);
    }
    return env;
  };

  /** Events of one environment; true when handled here. */
  function applyEnvironment(event: ReleaseEvent & { environment: string }): boolean {
    const env = environmentView(event.environment);
    switch (event.type) {
      case "environment.started":
        Object.assign(env, { wave: event.wave, status: "running", detail: "starting" });
        return true;
      case "environment.finished":
        Object.assign(env, { status: event.state, detail: event.summary ?? event.state });
        if (event.state !== "promoted") addLog(describeEvent(event, c));
        return true;
      case "environment.held":
        Object.assign(env, { status: "held", detail: event.reason });
        return true;
      case "canary.step.started":
        env.step = newStep(event.weight, `${event.weight}%`);
        Object.assign(env.step, { status: "running", windowMs: event.windowMs });
        return true;
      case "stabilization.started":
        env.step = newStep(100, "stabilize");
        Object.assign(env.step, { status: "running", windowMs: event.windowMs });
        // A promoted environment watched through a bake.
        if (env.status === "promoted") env.status = "baking";
        return true;
      case "stabilization.passed":
        if (env.step) env.step.status = "passed";
        if (env.status === "baking") env.status = "promoted";
        return true;
      case "canary.poll":
        if (env.step) Object.assign(env.step, pollReadings(event));
        objective = {
          errorRateMax: event.errorRateMax,
          p95Max: event.p95LatencyMsMax,
          windowMs: event.windowMs,
        };
        return true;
      case "canary.step.passed":
        if (env.step) env.step.status = "passed";
        return true;
      case "canary.breach":
        if (env.step) env.step.status = "breached";
        addLog(describeEvent(event, c));
        return true;
      case "promote.done":
        env.detail = "promoted";
        return true;
      case "rollback.started":
        Object.assign(env, { status: "rolling back", detail: event.reason });
        return true;
      case "rollback.finished":
        env.status = event.verified ? "rolled back" : "ROLLBACK NOT VERIFIED";
        env.detail = event.message;
        if (!event.verified) addLog(describeEvent(event, c));
        return true;
      case "smoke.result":
        if (!event.result.passed) addLog(describeEvent(event, c));
        return true;
      case "lock.acquired":
      case "preflight.passed":
        return true;
      default:
        return false;
    }
  }

  function apply(event: ReleaseEvent): void {
    if (event.environment && applyEnvironment(event as ReleaseEvent & { environment: string }))
      return;
    switch (event.type) {
      case "release.started":
        header = `${c.bold("shipgate")} ${event.service} ${c.bold(event.version)} → ${event.environment}  ${c.dim(`sha ${shortSha(event.sha)}`)}${event.dryRun ? c.yellow("  (dry run)") : ""}`;
        break;
      case "lock.acquired":
        gate("lock", "lock", "ok", event.ref);
        gate("validate", "validate", "running", "checking sha and tag");
        break;
      case "validate.passed":
        gate(
          "validate",
          "validate",
          "ok",
          `sha on the release branch, tag ${event.tag === "new" ? "new" : "reused"}`,
        );
        gate("ci", "CI gate", "running", "listing checks");
        break;
      case "preparation.finished":
        gate(
          "prep",
          "prepare",
          event.ok ? "ok" : "fail",
          `${event.findings - event.failed}/${event.findings} checks passed`,
        );
        break;
      case "ci.waiting":
        gate(
          "ci",
          "CI gate",
          "running",
          `waiting for ${event.pending.join(", ")} (${duration(event.waitedMs)})`,
        );
        break;
      case "ci.passed":
        gate("ci", "CI gate", "ok", `${event.checks} check${event.checks === 1 ? "" : "s"} green`);
        break;
      case "ci.blocked":
        gate("ci", "CI gate", "fail", event.reason);
        break;
      case "signoff.waiting":
        gate("signoff", "sign-off", "running", `waiting for ${event.missing.join(", ")}`);
        break;
      case "signoff.passed":
        gate("signoff", "sign-off", "ok", event.approvers.join(", "));
        break;
      case "preflight.passed":
        gate(
          "preflight",
          "preflight",
          "ok",
          Object.entries(event.facts)
            .map(([k, v]) => `${k}=${v}`)
            .join(", ") || "ok",
        );
        break;
      case "tag.created":
      case "tag.reused":
        gate(
          "tag",
          "tag",
          "ok",
          `${event.tag} → ${shortSha(event.sha)}${event.type === "tag.reused" ? " (reused)" : event.pushedTo ? ` (pushed to ${event.pushedTo})` : ""}`,
        );
        break;
      case "canary.step.started": {
        const step = stepFor(event.weight);
        Object.assign(step, { status: "running", windowMs: event.windowMs, elapsedMs: 0 });
        objective = objective ? { ...objective, windowMs: event.windowMs } : null;
        break;
      }
      case "stabilization.started": {
        const step = stepFor(100, "stabilize");
        Object.assign(step, { status: "running", windowMs: event.windowMs, elapsedMs: 0 });
        break;
      }
      case "canary.poll": {
        const step = currentStep() ?? stepFor(event.weight);
        Object.assign(step, {
          ...pollReadings(event),
          errorRateRatio: event.errorRateRatio ?? null,
          p95Ratio: event.p95Ratio ?? null,
        });
        if (event.verdict === "hold" || event.verdict === "inconclusive")
          addLog(c.yellow(`${event.verdict} at ${event.weight}%: ${event.detail}`));
        objective = {
          errorRateMax: event.errorRateMax,
          p95Max: event.p95LatencyMsMax,
          windowMs: objective?.windowMs ?? event.windowMs,
        };
        break;
      }
      case "canary.step.passed": {
        const step = currentStep() ?? stepFor(event.weight);
        Object.assign(step, {
          status: "passed",
          errorRate: event.errorRate,
          p95LatencyMs: event.p95LatencyMs,
        });
        if (step.windowMs !== null) step.elapsedMs = step.windowMs;
        break;
      }
      case "canary.step.extended":
        addLog(
          c.yellow(`${event.weight}% extended to ${duration(event.windowMs)}: ${event.reason}`),
        );
        break;
      case "canary.breach": {
        const step = currentStep() ?? stepFor(event.weight);
        step.status = "breached";
        addLog(c.red(`breach at ${event.weight}%: ${event.reason}`));
        break;
      }
      case "promote.done":
        gate("promote", "promote", "ok", "new version serves 100%");
        break;
      case "rollback.started":
        for (const s of steps) if (s.status === "running") s.status = "cancelled";
        rollback = { status: "running", message: event.reason };
        break;
      case "rollback.finished":
        rollback = { status: event.verified ? "ok" : "fail", message: event.message };
        break;
      case "smoke.result":
        if (!event.result.passed)
          addLog(
            c.red(`smoke ${event.result.name} failed (${event.phase}): ${event.result.detail}`),
          );
        break;
      case "incident.opened":
      case "incident.failed":
      case "notify.failed":
      case "warning":
      case "changelog.written":
      case "report.written":
        addLog(describeEvent(event, c));
        break;
      case "wave.started":
        gate(
          `wave-${event.wave}`,
          `wave ${event.wave}/${event.of}`,
          "running",
          event.environments.join(", "),
        );
        for (const name of event.environments) environmentView(name).wave = event.wave;
        break;
      case "wave.finished":
        gate(
          `wave-${event.wave}`,
          `wave ${event.wave}/${event.of}`,
          event.result === "promoted" ? "ok" : "fail",
          `${event.environments.join(", ")}: ${event.result}`,
        );
        break;
      case "wave.baking":
        addLog(describeEvent(event, c));
        break;
      case "release.finished":
        finished = event.outcome;
        // A window still "running" at the end finished with the release: passed if it succeeded.
        for (const s of steps) {
          if (s.status !== "running") continue;
          s.status = event.outcome.status === "SUCCESS" ? "passed" : "cancelled";
          if (s.status === "passed" && s.windowMs !== null) s.elapsedMs = s.windowMs;
        }
        for (const g of gates) if (g.status === "running") g.status = "fail";
        break;
    }
  }

  const mark = (status: GateStatus) =>
    status === "ok"
      ? c.green("✔")
      : status === "fail"
        ? c.red("✖")
        : c.cyan(SPINNER[frame % SPINNER.length]!);

  function environmentLine(env: EnvironmentView): string {
    const icon =
      env.status === "promoted" || env.status === "rolled back"
        ? c.green("✔")
        : env.status === "running" || env.status === "baking" || env.status === "rolling back"
          ? c.cyan(SPINNER[frame % SPINNER.length]!)
          : env.status === "pending"
            ? c.dim("·")
            : env.status === "held" || env.status === "cancelled"
              ? c.yellow("■")
              : c.red("✖");
    const name = env.name.padEnd(16);
    const s = env.step;
    if ((env.status !== "running" && env.status !== "baking") || !s)
      return ` ${icon} ${c.dim(`w${env.wave || "?"}`)} ${name} ${env.status}${env.detail && env.detail !== env.status ? c.dim(` — ${env.detail}`) : ""}`;
    const window = s.windowMs ?? 0;
    const time = `${duration(s.elapsedMs).padStart(6)}/${duration(window)}`;
    return ` ${icon} ${c.dim(`w${env.wave}`)} ${name} ${s.label.padStart(9)}  ${bar(window > 0 ? s.elapsedMs / window : 0)} ${time}  err ${percent(s.errorRate)}  p95 ${millis(s.p95LatencyMs)}  ${s.verdict ?? "starting"}`;
  }

  function bar(fraction: number, width = 10): string {
    const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
    return `${"█".repeat(filled)}${c.dim("░".repeat(width - filled))}`;
  }

  /** A reading against its objective: red above it, dim "no data" when there is none. */
  function reading(value: number | null, max: number | undefined, format: (n: number) => string) {
    if (value === null) return c.dim("no data");
    return max !== undefined && value > max ? c.red(format(value)) : format(value);
  }

  function render(): string[] {
    const lines: string[] = [];
    const elapsed = duration(Date.now() - startedReal);
    lines.push(`${header}  ${c.dim(elapsed)}`);
    for (const g of gates) lines.push(` ${mark(g.status)} ${g.label.padEnd(10)} ${g.detail}`);
    if (steps.length > 0 || objective) {
      const obj = objective
        ? `objective: error rate ≤ ${percent(objective.errorRateMax)}, p95 ≤ ${millis(objective.p95Max)}, window ${duration(objective.windowMs)}`
        : "";
      lines.push(` ${c.bold("canary")}     ${c.dim(obj)}`);
    }
    for (const env of environments) lines.push(environmentLine(env));
    for (const s of steps) {
      const icon =
        s.status === "passed"
          ? c.green("✔")
          : s.status === "breached"
            ? c.red("✖")
            : s.status === "cancelled"
              ? c.yellow("■")
              : s.status === "running"
                ? c.cyan(SPINNER[frame % SPINNER.length]!)
                : c.dim("·");
      const label = s.label.padStart(9);
      if (s.status === "pending") {
        lines.push(` ${icon} ${c.dim(`${label}  pending`)}`);
        continue;
      }
      const window = s.windowMs ?? 0;
      const progress = window > 0 ? s.elapsedMs / window : 0;
      const time = `${duration(s.elapsedMs).padStart(6)}/${duration(window)}`;
      const err = reading(s.errorRate, objective?.errorRateMax, percent);
      const p95 = reading(s.p95LatencyMs, objective?.p95Max, millis);
      const state = s.status === "running" ? (s.verdict ?? "starting") : s.status;
      const vs = (ratio: number | null) => (ratio === null ? "" : c.dim(` ×${ratio.toFixed(1)}`));
      const n = s.requests === null ? "" : c.dim(`  n ${s.requests.toLocaleString("en-US")}`);
      lines.push(
        ` ${icon} ${label}  ${bar(progress)} ${time}  err ${err}${vs(s.errorRateRatio)}  p95 ${p95}${vs(s.p95Ratio)}${n}  ${state}`,
      );
    }
    if (rollback)
      lines.push(` ${mark(rollback.status)} ${"rollback".padEnd(10)} ${rollback.message}`);
    for (const l of log) lines.push(`   ${c.dim("›")} ${l}`);
    return lines;
  }

  function draw(): void {
    if (disposed) return;
    pending = null;
    lastDraw = Date.now();
    const columns = options.columns ?? io.stdout.columns ?? 100;
    const rows = options.rows ?? (io.stdout as { rows?: number }).rows ?? 40;
    let lines = render().map((l) => fitLine(l, columns - 1));
    // Cursor moves cannot reach above the top of the screen: keep the block shorter than it.
    if (lines.length > rows - 1) lines = lines.slice(0, Math.max(1, rows - 1));
    const body = lines.map((l) => `${l}${CSI.clearLineEnd}`).join("\n");
    out.write(`${drawnLines ? CSI.up(drawnLines) : ""}${body}\n${CSI.clearBelow}`);
    drawnLines = lines.length;
  }

  function schedule(): void {
    if (disposed || pending) return;
    const wait = throttleMs - (Date.now() - lastDraw);
    if (wait <= 0) draw();
    else pending = setTimeout(draw, wait);
  }

  const restore = () => {
    out.write(CSI.showCursor);
  };
  out.write(CSI.hideCursor);
  process.once("exit", restore);
  const ticker = setInterval(() => {
    frame += 1;
    schedule();
  }, 250);
  ticker.unref();

  return {
    onEvent(event) {
      apply(event);
      schedule();
    },
    notice(message) {
      addLog(c.yellow(message));
      schedule();
    },
    finish(outcome: ReleaseOutcome, context: FinishContext) {
      if (!finished) apply({ type: "release.finished", at: outcome.endedAt, outcome });
      if (pending) clearTimeout(pending);
      draw();
      const lines = [outcomeLine(outcome, c), ...summaryLines(outcome, context, io, mode)];
      out.write(`${lines.join("\n")}\n`);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (pending) clearTimeout(pending);
      clearInterval(ticker);
      restore();
      process.removeListener("exit", restore);
    },
  };
}
