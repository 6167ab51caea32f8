import type { ReleaseSpec } from "@shipgate/core";
import type { CliIo, OutputMode } from "./cli-io.js";
import { createJsonReporter } from "./json-reporter.js";
import { createLiveView, type LiveViewPlan } from "./live-view.js";
import { createPlainReporter } from "./plain-reporter.js";
import { createQuietReporter, type ReleaseReporter } from "./reporter.js";

/** What the live view can show before the first poll. */
export function liveViewPlan(spec: ReleaseSpec): LiveViewPlan {
  return {
    canarySteps: spec.canary_steps,
    errorRateMax: spec.slo.error_rate_max,
    p95LatencyMs: spec.slo.p95_latency_ms,
    windowMs: spec.slo.window_minutes * 60_000,
    stabilization: (spec.stabilization_minutes ?? spec.slo.window_minutes) > 0,
    ...(spec.waves ? { waves: spec.waves } : {}),
  };
}

/** `--json` → NDJSON; `--quiet` → the outcome only; a terminal → the live view; else plain lines. */
export function chooseReporter(
  io: CliIo,
  mode: OutputMode,
  spec: ReleaseSpec | null,
): ReleaseReporter {
  if (mode.json) return createJsonReporter(io);
  if (mode.quiet) return createQuietReporter(io, mode);
  if (mode.tty) return createLiveView(io, mode, spec ? { plan: liveViewPlan(spec) } : {});
  return createPlainReporter(io, mode);
}
