import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CI_CHECK_CONCLUSIONS, CI_CHECK_STATUSES, type CiCheck } from "../contracts/ci-provider.js";
import { evaluateCiGate, isGreenCheck } from "./ci-gate.js";

const policy = { allow_no_checks: false, optional_checks_block: false };
const check = (over: Partial<CiCheck>): CiCheck => ({
  name: "unit",
  status: "completed",
  conclusion: "success",
  url: null,
  startedAt: "2026-01-05T10:00:00Z",
  completedAt: "2026-01-05T10:05:00Z",
  ...over,
});

describe("CI gate rule", () => {
  it("is green only when every blocking check completed with a passing conclusion", () => {
    expect(
      evaluateCiGate(
        [
          check({}),
          check({ name: "lint", conclusion: "neutral" }),
          check({ name: "e2e", conclusion: "skipped" }),
        ],
        policy,
      ).verdict,
    ).toBe("green");
    for (const conclusion of [
      "failure",
      "cancelled",
      "timed_out",
      "action_required",
      "stale",
    ] as const) {
      expect(evaluateCiGate([check({}), check({ name: "x", conclusion })], policy).verdict).toBe(
        "red",
      );
    }
  });

  it("is pending while a blocking check runs, red wins over pending", () => {
    expect(
      evaluateCiGate([check({ status: "in_progress", conclusion: null })], policy).verdict,
    ).toBe("pending");
    expect(
      evaluateCiGate(
        [
          check({ status: "queued", conclusion: null }),
          check({ name: "b", conclusion: "failure" }),
        ],
        policy,
      ).verdict,
    ).toBe("red");
  });

  it("treats zero checks as red unless the policy allows it", () => {
    expect(evaluateCiGate([], policy)).toMatchObject({ verdict: "red" });
    expect(evaluateCiGate([], { ...policy, allow_no_checks: true }).verdict).toBe("green");
  });

  it("lets optional checks fail unless the policy says they block", () => {
    const optional = check({ name: "perf", conclusion: "failure", required: false });
    expect(evaluateCiGate([check({}), optional], policy)).toMatchObject({
      verdict: "green",
      ignored: [optional],
    });
    expect(
      evaluateCiGate([check({}), optional], { ...policy, optional_checks_block: true }).verdict,
    ).toBe("red");
  });

  it("takes the latest run of a re-run check", () => {
    const failed = check({ conclusion: "failure", startedAt: "2026-01-05T10:00:00Z" });
    const rerun = check({ conclusion: "success", startedAt: "2026-01-05T10:10:00Z" });
    expect(evaluateCiGate([failed, rerun], policy).verdict).toBe("green");
    expect(evaluateCiGate([rerun, failed], policy).verdict).toBe("green");
  });

  it("never calls a set green if any blocking check is not green (property)", () => {
    const arb = fc.array(
      fc.record({
        name: fc.constantFrom("a", "b", "c", "d"),
        status: fc.constantFrom(...CI_CHECK_STATUSES),
        // Every conclusion the contract knows, so a new one cannot slip through as green.
        conclusion: fc.constantFrom(...CI_CHECK_CONCLUSIONS),
        required: fc.constantFrom(true, false, undefined),
      }),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, (raw) => {
        const checks = raw.map((r, i) =>
          check({
            ...r,
            conclusion: r.status === "completed" ? r.conclusion : null,
            startedAt: new Date(Date.UTC(2026, 0, 5, 10, i)).toISOString(),
          }),
        );
        const v = evaluateCiGate(checks, policy);
        if (v.verdict === "green") {
          const latest = new Map(checks.map((c) => [c.name, c]));
          for (const c of latest.values())
            if (c.required !== false) expect(isGreenCheck(c)).toBe(true);
          expect(checks.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
