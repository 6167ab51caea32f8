/**
 * A parsed Datadog metrics query of the shape the adapter's templates produce:
 * `<aggregator>:<metric>{<filters>}[ by {<tags>}][.as_count()|.as_rate()]`.
 */
export interface ParsedDatadogQuery {
  /** `sum`, `avg`, `min`, `max`, `count`, or a percentile such as `p95` / `p99.9`. */
  aggregator: string;
  metric: string;
  /** `key:value` filters; `*` is no filter. Negated filters (`!key:value`) have `negated`. */
  filters: { key: string; value: string; negated: boolean }[];
  groupBy: string[];
  modifier: "as_count" | "as_rate" | null;
}

const AGGREGATOR = /^(sum|avg|min|max|count|p(?:[1-9]\d?|\d{1,2}\.\d+))$/;
const METRIC = /^[A-Za-z][A-Za-z0-9_.]*$/;
const TAG_KEY = /^[\p{L}][\p{L}\p{N}_\-./]*$/u;
const TAG_VALUE = /^[\p{L}\p{N}_\-:./]+\*?$|^\*$/u;

/**
 * Parses the subset of Datadog's metrics query language the adapter uses, or returns the
 * reason it is not valid — the same words a 400 from the emulator carries. It is strict on
 * purpose: the emulator must reject what Datadog rejects (unbalanced braces, empty or
 * injected tag values), and the property tests use it to prove that no placeholder value
 * can change a rendered query's structure.
 *
 * @example
 * ```ts
 * parseDatadogQuery("p95:trace.http.request{service:api,env:prod}");
 * ```
 */
export function parseDatadogQuery(
  query: string,
): { ok: true; value: ParsedDatadogQuery } | { ok: false; reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  const text = query.trim();
  const colon = text.indexOf(":");
  if (colon < 0) return fail("missing aggregator (expected e.g. `sum:metric{*}`)");
  const aggregator = text.slice(0, colon);
  if (!AGGREGATOR.test(aggregator)) return fail(`unknown aggregator \`${aggregator}\``);
  const open = text.indexOf("{", colon);
  if (open < 0) return fail("missing `{` scope after the metric name");
  const metric = text.slice(colon + 1, open);
  if (!METRIC.test(metric)) return fail(`invalid metric name \`${metric}\``);
  const close = text.indexOf("}", open);
  if (close < 0) return fail("unbalanced `{`");
  const scope = text.slice(open + 1, close);
  if (scope.includes("{")) return fail("unexpected `{` inside the scope");
  const filters: ParsedDatadogQuery["filters"] = [];
  if (scope.trim() !== "*") {
    for (const raw of scope.split(",")) {
      const part = raw.trim();
      if (part === "") return fail("empty tag filter in scope");
      const negated = part.startsWith("!");
      const body = negated ? part.slice(1) : part;
      const sep = body.indexOf(":");
      if (sep <= 0) return fail(`tag filter \`${part}\` is not key:value`);
      const key = body.slice(0, sep);
      const value = body.slice(sep + 1);
      if (!TAG_KEY.test(key)) return fail(`invalid tag key \`${key}\``);
      if (!TAG_VALUE.test(value)) return fail(`invalid tag value \`${value}\` for \`${key}\``);
      filters.push({ key, value, negated });
    }
  }
  let rest = text.slice(close + 1);
  const groupBy: string[] = [];
  const by = /^\s+by\s+\{([^{}]*)\}/.exec(rest);
  if (by) {
    for (const raw of (by[1] ?? "").split(",")) {
      const tag = raw.trim();
      if (!TAG_KEY.test(tag)) return fail(`invalid group-by tag \`${tag}\``);
      groupBy.push(tag);
    }
    rest = rest.slice(by[0].length);
  }
  let modifier: ParsedDatadogQuery["modifier"] = null;
  if (rest === ".as_count()") modifier = "as_count";
  else if (rest === ".as_rate()") modifier = "as_rate";
  else if (rest.trim() !== "") return fail(`unexpected \`${rest.trim()}\` after the scope`);
  return { ok: true, value: { aggregator, metric, filters, groupBy, modifier } };
}
