import type { z } from "zod";
import type { ConfigProblem } from "./config-problem.js";
import { didYouMeanSuffix } from "./did-you-mean.js";

type AnySchema = z.ZodType;
interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  innerType?: AnySchema;
  in?: AnySchema;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
  left?: AnySchema;
  right?: AnySchema;
  getter?: () => AnySchema;
}

const defOf = (schema: AnySchema): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a path segment can lead to (several through a union). */
function step(schema: AnySchema, segment: PropertyKey | null): AnySchema[] {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
    case "nonoptional":
      return def.innerType ? step(def.innerType, segment) : [];
    case "pipe":
      return def.in ? step(def.in, segment) : [];
    case "lazy":
      return def.getter ? step(def.getter(), segment) : [];
    case "union":
      return (def.options ?? []).flatMap((o) => step(o, segment));
    case "intersection":
      return [def.left, def.right]
        .filter((s): s is AnySchema => !!s)
        .flatMap((s) => step(s, segment));
    case "object":
      if (segment === null) return [schema];
      return def.shape && typeof segment === "string" && def.shape[segment]
        ? [def.shape[segment]]
        : [];
    case "array":
      if (segment === null) return [schema];
      return def.element && typeof segment === "number" ? [def.element] : [];
    case "record":
      if (segment === null) return [schema];
      return def.valueType ? [def.valueType] : [];
    default:
      return segment === null ? [schema] : [];
  }
}

/**
 * The keys an object schema accepts at `path` (through optionals, defaults, pipes, unions
 * and arrays), for "did you mean" hints. Empty when the path leads nowhere known.
 *
 * @example
 * ```ts
 * knownKeysAt(releaseSpecSchema, ["slo"]); // ["error_rate_max", "p95_latency_ms", "window_minutes"]
 * ```
 */
export function knownKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
  let current: AnySchema[] = [schema];
  for (const segment of path) current = current.flatMap((s) => step(s, segment));
  const keys = new Set<string>();
  for (const s of current.flatMap((c) => step(c, null))) {
    const def = defOf(s);
    if (def.type === "object" && def.shape) for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}

/** The value at `path` in plain data, or undefined. */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

/** Options of {@link zodIssuesToProblems}. */
export interface IssueContext {
  /** Prefix of every key (`release`, `ci.with`). */
  prefix: string;
  /** The schema that was parsed, for "did you mean". */
  schema: AnySchema;
  /** The data that was parsed, to tell a missing key from a wrong one. */
  input: unknown;
  /** Extra words after a key (e.g. ` (from --sha)`), by dotted key. */
  origins?: Readonly<Record<string, string>>;
  /** What to do, by dotted key (`release.sha`). */
  hints?: Readonly<Record<string, string>>;
  /** What to do when no specific hint applies (`fix it in shipgate.yaml`). */
  defaultHint?: string;
}

const joinKey = (prefix: string, path: readonly PropertyKey[]) =>
  [prefix, ...path.map((p) => (typeof p === "number" ? `[${p}]` : String(p)))]
    .filter((s) => s.length > 0)
    .join(".")
    .replace(/\.\[/g, "[");

/**
 * Turns zod issues into {@link ConfigProblem}s a person can act on: every problem (not just
 * the first), an unknown key with a "did you mean" from the keys known at that level, and
 * a missing key said as missing rather than "expected string, received undefined".
 */
export function zodIssuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  context: IssueContext,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(context.schema, issue.path);
      for (const key of issue.keys) {
        const suffix = didYouMeanSuffix(key, known);
        problems.push({
          key: joinKey(context.prefix, [...issue.path, key]),
          message: `unknown key${suffix}`,
          hint: suffix
            ? "rename it"
            : `remove it${known.length ? `; known keys here: ${known.join(", ")}` : ""}`,
        });
      }
      continue;
    }
    const key = joinKey(context.prefix, issue.path);
    const origin = context.origins?.[key] ?? "";
    const hint = context.hints?.[key] ?? context.defaultHint;
    const missing =
      issue.code === "invalid_type" &&
      issue.path.length > 0 &&
      valueAt(context.input, issue.path) === undefined;
    const message = missing
      ? issue.message.startsWith("Invalid input")
        ? `is required (expected ${(issue as { expected?: string }).expected ?? "a value"})`
        : `is required: ${issue.message}`
      : issue.message;
    problems.push({ key: `${key}${origin}`, message, ...(hint ? { hint } : {}) });
  }
  return problems;
}
