import type { Judge } from "../judge/judge.js";
import { statisticalJudgeOf } from "../judge/statistical-judge.js";
import { createThresholdJudge } from "../judge/threshold-judge.js";
import type { ReleaseSpec } from "../model/release-spec.js";

/** The judge a release spec asks for (`policy.judge.kind`, statistical by default). */
export function judgeFor(spec: Pick<ReleaseSpec, "slo" | "baseline" | "policy">): Judge {
  // The spec's policy is parsed already (defaults applied): not parsed again per release.
  if (spec.policy.judge.kind === "threshold") return createThresholdJudge(spec);
  return statisticalJudgeOf(spec.policy.judge);
}
