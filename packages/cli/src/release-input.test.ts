import { describe, expect, it } from "vitest";
import { formatProblem } from "./config-problem.js";
import { mergeRelease, overridesFromFlags, validateReleaseInput } from "./release-input.js";

const SHA = "3f2a1b9c3f2a1b9c3f2a1b9c3f2a1b9c3f2a1b9c";
const base = {
  service: "checkout",
  environment: "production",
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
};

function check(flags: Record<string, unknown>, release: Record<string, unknown> = base) {
  const o = overridesFromFlags(flags);
  if (!o.ok) return o.problems.map(formatProblem);
  const v = validateReleaseInput(mergeRelease(release, o.overrides), o.overrides);
  return v.ok ? v.spec : v.problems.map(formatProblem);
}

describe("release input from config and flags", () => {
  it("flags override config keys, --set reaches nested keys", () => {
    const spec = check(
      {
        version: "v1.4.0",
        sha: SHA.toUpperCase(),
        "canary-steps": "10,50,100",
        set: ["slo.window_minutes=2", "approvers=[alice]"],
      },
      { ...base, version: "v0.0.1" },
    );
    expect(spec).toMatchObject({
      version: "v1.4.0",
      sha: SHA,
      canary_steps: [10, 50, 100],
      slo: { window_minutes: 2, error_rate_max: 0.01 },
      approvers: ["alice"],
    });
  });

  it("names the flag a bad value came from, with what to do", () => {
    expect(check({ version: "1.4", sha: "abc1234" })).toEqual([
      "release.version (--version): version must be a semver tag such as v1.4.0 — use a semver tag such as --version v1.4.0",
      "release.sha (--sha): sha must be a 40-character hexadecimal commit sha — pass the full 40-character sha: --sha $(git rev-parse HEAD)",
    ]);
  });

  it("says a missing key is required, and suggests a key for a typo", () => {
    const problems = check(
      { version: "v1.4.0", sha: SHA },
      {
        service: "checkout",
        environment: "prod",
        slo: { error_rate_max: 0.01, p95_latency_ms: 300, windw_minutes: 10 },
      },
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^release\.slo\.window_minutes: is required/),
        expect.stringMatching(
          /^release\.slo\.windw_minutes: unknown key \(did you mean "window_minutes"\?\)/,
        ),
      ]),
    );
  });

  it("rejects a malformed --set and --canary-steps", () => {
    expect(check({ set: ["nonsense"], "canary-steps": "5,x" })).toEqual([
      expect.stringMatching(/^--canary-steps: must be comma-separated percentages/),
      expect.stringMatching(/^--set: expects key=value/),
    ]);
  });

  it("lets config validate leave version and sha to flags", () => {
    const o = overridesFromFlags({});
    if (!o.ok) throw new Error("flags");
    const v = validateReleaseInput(mergeRelease(base, o.overrides), o.overrides, {
      allowMissing: ["version", "sha"],
    });
    expect(v).toEqual({ ok: false, problems: [] });
  });
});
