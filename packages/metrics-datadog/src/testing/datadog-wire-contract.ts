import { v2 } from "@datadog/datadog-api-client";

/**
 * The documented shape of a `POST /api/v2/query/timeseries` answer, as a table the emulator
 * tests assert per response. Sources: Datadog API reference "Query timeseries data across
 * multiple products" (v2), the `TimeseriesResponse*` models of
 * `@datadog/datadog-api-client@1.64.0`, and responses recorded from the real API in
 * DataDog/datadog-api-client-typescript `cassettes/v2/Metrics_2046978582/…` (see
 * `src/__fixtures__/`).
 */
export const TIMESERIES_RESPONSE_CONTRACT: readonly { path: string; rule: string }[] = [
  { path: "data.type", rule: 'equals "timeseries_response"' },
  {
    path: "data.attributes.series",
    rule: "array of { query_index: int ≥ 0, group_tags: string[], unit: null | [Unit|null, Unit|null] }",
  },
  { path: "data.attributes.times", rule: "array of int64 ms, ascending" },
  {
    path: "data.attributes.values",
    rule: "one row per series; row j-th item pairs with times[j]; number or null",
  },
  {
    path: "Unit",
    rule: "{ family: string, name: string, plural: string, scale_factor: number, short_name: string }",
  },
  { path: "errors", rule: "optional string" },
];

/** Error bodies (400/401/403/429): `APIErrorResponse` `{"errors": ["…"]}`. */
export const ERROR_RESPONSE_CONTRACT: readonly { path: string; rule: string }[] = [
  { path: "errors", rule: "non-empty array of strings" },
];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function unitViolations(unit: unknown, where: string): string[] {
  if (unit === null) return [];
  if (!Array.isArray(unit) || unit.length !== 2) return [`${where} must be null or a 2-tuple`];
  const out: string[] = [];
  unit.forEach((u, i) => {
    if (u === null) return;
    if (!isObject(u)) {
      out.push(`${where}[${i}] must be an object or null`);
      return;
    }
    for (const key of ["family", "name", "plural", "short_name"]) {
      if (typeof u[key] !== "string") out.push(`${where}[${i}].${key} must be a string`);
    }
    if (typeof u.scale_factor !== "number")
      out.push(`${where}[${i}].scale_factor must be a number`);
  });
  return out;
}

/** Violations of {@link TIMESERIES_RESPONSE_CONTRACT} in a raw (wire) JSON body; [] if none. */
export function timeseriesResponseViolations(body: unknown): string[] {
  if (!isObject(body)) return ["body must be a JSON object"];
  const out: string[] = [];
  if (body.errors !== undefined && typeof body.errors !== "string")
    out.push("errors must be a string");
  const data = body.data;
  if (!isObject(data)) return [...out, "data must be an object"];
  if (data.type !== "timeseries_response") out.push('data.type must be "timeseries_response"');
  const attributes = data.attributes;
  if (!isObject(attributes)) return [...out, "data.attributes must be an object"];
  const { series, times, values } = attributes;
  if (!Array.isArray(series)) out.push("data.attributes.series must be an array");
  if (!Array.isArray(times)) out.push("data.attributes.times must be an array");
  if (!Array.isArray(values)) out.push("data.attributes.values must be an array");
  if (out.length > 0 || !Array.isArray(series) || !Array.isArray(times) || !Array.isArray(values))
    return out;
  series.forEach((s, i) => {
    const where = `data.attributes.series[${i}]`;
    if (!isObject(s)) {
      out.push(`${where} must be an object`);
      return;
    }
    if (!Number.isInteger(s.query_index) || (s.query_index as number) < 0)
      out.push(`${where}.query_index must be an integer ≥ 0`);
    if (!Array.isArray(s.group_tags) || s.group_tags.some((t) => typeof t !== "string"))
      out.push(`${where}.group_tags must be an array of strings`);
    out.push(...unitViolations(s.unit, `${where}.unit`));
  });
  times.forEach((t, j) => {
    if (!Number.isInteger(t)) out.push(`data.attributes.times[${j}] must be an integer (ms)`);
    if (j > 0 && (t as number) <= (times[j - 1] as number))
      out.push(`data.attributes.times must ascend (at ${j})`);
  });
  if (values.length !== series.length)
    out.push(`data.attributes.values has ${values.length} rows for ${series.length} series`);
  values.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== times.length) {
      out.push(`data.attributes.values[${i}] must have one item per time`);
      return;
    }
    if (row.some((v) => v !== null && typeof v !== "number"))
      out.push(`data.attributes.values[${i}] items must be numbers or null`);
  });
  return out;
}

/** Violations of {@link ERROR_RESPONSE_CONTRACT}; [] if none. */
export function errorResponseViolations(body: unknown): string[] {
  if (!isObject(body)) return ["body must be a JSON object"];
  const errors = body.errors;
  if (!Array.isArray(errors) || errors.length === 0) return ["errors must be a non-empty array"];
  return errors.some((e) => typeof e !== "string") ? ["errors items must be strings"] : [];
}

/**
 * Deserialises a wire body with the client's own `ObjectSerializer` — what the real client
 * does with the answer — and reports whether it accepted it (no throw, nothing left unparsed).
 *
 * @example
 * ```ts
 * expect(deserializeWithClient(body, "TimeseriesFormulaQueryResponse").ok).toBe(true);
 * ```
 */
export function deserializeWithClient(
  body: unknown,
  type: "TimeseriesFormulaQueryResponse" | "APIErrorResponse" | "TimeseriesFormulaQueryRequest",
): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    const value = v2.ObjectSerializer.deserialize(body, type, "") as { _unparsed?: boolean };
    if (value?._unparsed) return { ok: false, reason: "the client left parts unparsed" };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
