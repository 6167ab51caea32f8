import type { Judge } from "../judge/judge.js";
import { createStatisticalJudge } from "../judge/statistical-judge.js";
import { createThresholdJudge } from "../judge/threshold-judge.js";
import type { ReleaseSpec } from "./release-spec.js";

/** The judge a release spec asks for (`policy.judge.kind`, statistical by default). */
export function judgeFor(spec: Pick<ReleaseSpec, "slo" | "baseline" | "policy">): Judge {
  const { kind, ...settings } = spec.policy.judge;
  if (kind === "threshold") return createThresholdJudge(spec);
  return createStatisticalJudge(settings);
}
