import { type ReleaseSpec, releaseSpecSchema } from "@shipgate/core";
import { parse as parseYaml } from "yaml";
import type { ConfigProblem } from "./config-problem.js";
import { zodIssuesToProblems } from "./zod-problems.js";

/** Release keys set from the command line, and the flag each came from. */
export interface ReleaseOverrides {
  /** Dotted release keys (`sha`, `slo.window_minutes`) → value. */
  values: Record<string, unknown>;
  /** Dotted release key → the flag that set it (`--sha`), for error messages. */
  flags: Record<string, string>;
}

/** The flags that set a release key directly. */
export const RELEASE_FLAGS = {
  service: "service",
  environment: "environment",
  version: "version",
  sha: "sha",
  "previous-release-tag": "previous_release_tag",
} as const;

/** Hints for the keys people get wrong most. */
const HINTS: Record<string, string> = {
  "release.sha": "pass the full 40-character sha: --sha $(git rev-parse HEAD)",
  "release.version": "use a semver tag such as --version v1.4.0",
  "release.previous_release_tag":
    "name the tag of the release before, e.g. v1.3.0 (or null for the first)",
  "release.slo":
    "add slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 } under release:",
  "release.service": "set release.service in shipgate.yaml or pass --service",
  "release.environment": "set release.environment in shipgate.yaml or pass --environment",
  "release.canary_steps": "list increasing weights ending at 100, e.g. --canary-steps 5,25,100",
};

/**
 * Builds the overrides from parsed flags: `--version`, `--sha`, `--service`,
 * `--environment`, `--previous-release-tag`, `--canary-steps 5,25,100`, and any key with
 * `--set slo.window_minutes=5` (the value is read as YAML, so numbers and lists work).
 */
export function overridesFromFlags(
  flags: Record<string, unknown>,
): { ok: true; overrides: ReleaseOverrides } | { ok: false; problems: ConfigProblem[] } {
  const values: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const [flag, key] of Object.entries(RELEASE_FLAGS)) {
    const value = flags[flag];
    if (typeof value === "string") {
      values[key] = value;
      origin[key] = `--${flag}`;
    }
  }
  if (typeof flags["canary-steps"] === "string") {
    const text = flags["canary-steps"];
    const steps = text.split(",").map((s) => Number(s.trim()));
    if (steps.some((n) => !Number.isFinite(n)) || text.trim() === "") {
      problems.push({
        key: "--canary-steps",
        message: `must be comma-separated percentages, got ${JSON.stringify(text)}`,
        hint: "e.g. --canary-steps 5,25,100",
      });
    } else {
      values.canary_steps = steps;
      origin.canary_steps = "--canary-steps";
    }
  }
  const sets = flags.set;
  for (const assignment of Array.isArray(sets) ? sets : []) {
    const text = String(assignment);
    const eq = text.indexOf("=");
    const key =
      eq > 0
        ? text
            .slice(0, eq)
            .trim()
            .replace(/^release\./, "")
        : "";
    if (!key || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(key)) {
      problems.push({
        key: "--set",
        message: `expects key=value, got ${JSON.stringify(text)}`,
        hint: "e.g. --set slo.window_minutes=5 (keys of the release: section)",
      });
      continue;
    }
    let value: unknown;
    try {
      value = parseYaml(text.slice(eq + 1));
    } catch {
      value = text.slice(eq + 1);
    }
    values[key] = value;
    origin[key] = "--set";
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, overrides: { values, flags: origin } };
}

/** Deep-copies the release block and applies dotted overrides on top. */
export function mergeRelease(
  base: Record<string, unknown>,
  overrides: ReleaseOverrides,
): Record<string, unknown> {
  const merged = structuredClone(base) as Record<string, unknown>;
  for (const [dotted, value] of Object.entries(overrides.values)) {
    const parts = dotted.split(".");
    let target = merged;
    for (const part of parts.slice(0, -1)) {
      const next = target[part];
      if (next === null || typeof next !== "object" || Array.isArray(next)) target[part] = {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts[parts.length - 1]!] = value;
  }
  return merged;
}

/**
 * Validates the merged release input with core's schema, reporting every problem with its
 * key (`release.sha (--sha)`) and what to do. `allowMissing` skips "required" problems of
 * the keys listed (`config validate` checks a file that leaves `version` and `sha` to flags).
 */
export function validateReleaseInput(
  input: Record<string, unknown>,
  overrides: ReleaseOverrides,
  options: { allowMissing?: readonly string[] } = {},
): { ok: true; spec: ReleaseSpec } | { ok: false; problems: ConfigProblem[] } {
  const result = releaseSpecSchema.safeParse(input);
  if (result.success) return { ok: true, spec: result.data };
  const allowMissing = new Set(options.allowMissing ?? []);
  const issues = result.error.issues.filter(
    (issue) =>
      !(
        issue.path.length === 1 &&
        allowMissing.has(String(issue.path[0])) &&
        input[String(issue.path[0])] === undefined
      ),
  );
  if (issues.length === 0) {
    // Only the allowed keys were missing: good enough for a config check.
    return { ok: false, problems: [] };
  }
  const origins: Record<string, string> = {};
  for (const [key, flag] of Object.entries(overrides.flags))
    origins[`release.${key}`] = ` (${flag})`;
  return {
    ok: false,
    problems: zodIssuesToProblems(issues, {
      prefix: "release",
      schema: releaseSpecSchema,
      input,
      origins,
      hints: HINTS,
      defaultHint: "fix it under release: in shipgate.yaml (or with --set)",
    }),
  };
}
