import { formatMs, formatPercent } from "../judge/format.js";
import type { RunRecord } from "../release/run-record.js";

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : formatPercent(v);
}
function ms(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : formatMs(v);
}
function ratio(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : `×${v.toFixed(2)}`;
}

/**
 * The report's "How the canary was judged" section: the judge and its policy, then what it
 * saw at each poll (canary and stable over the step so far) and what it decided.
 */
export function renderJudgeSection(record: RunRecord): string[] {
  const rows = record.evidence.filter((e) => e.kind === "slo" && e.judge);
  if (rows.length === 0) return [];
  const name = rows[0]!.judge!.name;
  const p = record.spec.policy.judge;
  const out = ["## How the canary was judged\n"];
  if (name === "statistical") {
    out.push(
      `Judge: **statistical** — canary vs stable with anytime-valid tests (false breach ≤ ${p.false_breach_probability} per test, early pass error ≤ ${p.false_pass_probability}); a regression is more than ${p.max_error_rate_ratio}× stable's error rate and ${formatPercent(p.min_error_rate_increase ?? record.spec.slo.error_rate_max / 10)} above it, or a p95 over ${p.max_p95_ratio}× stable's; the objectives are a hard ceiling; no verdict on fewer than ${p.min_canary_requests} canary requests (then: ${p.on_inconclusive}); early promotion ${p.early_promotion ? `after ${p.min_step_minutes} min on strong evidence` : "off"}.\n`,
    );
  } else {
    out.push(`Judge: **${name}**.\n`);
  }
  out.push(
    "| time | phase | weight | canary requests | error rate | stable error rate | ratio | p95 | stable p95 | ratio | verdict |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const e of rows) {
    const j = e.judge!;
    const c = j.evidence.canary;
    const s = j.evidence.stable;
    out.push(
      `| ${e.at} | ${e.phase} | ${e.weight}% | ${c.requests ?? "–"} | ${pct(c.errorRate)} | ${pct(s?.errorRate)} | ${ratio(j.evidence.errorRateRatio)} | ${ms(c.p95LatencyMs)} | ${ms(s?.p95LatencyMs)} | ${ratio(j.evidence.p95Ratio)} | ${j.verdict} |`,
    );
  }
  out.push("");
  return out;
}
