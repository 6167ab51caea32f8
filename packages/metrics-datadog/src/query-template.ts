import { TEMPLATE_PLACEHOLDER, unknownTemplatePlaceholders } from "@shipgate/core";
/** The placeholders a query template may use. */
export const QUERY_PLACEHOLDERS = ["service", "version", "track", "environment", "window"] as const;

/** One placeholder name. */
export type QueryPlaceholder = (typeof QUERY_PLACEHOLDERS)[number];

/** The raw (not yet normalised) value of every placeholder for one measurement. */
export type QueryTemplateValues = Record<QueryPlaceholder, string>;

/**
 * The placeholders in `template` that are not one of {@link QUERY_PLACEHOLDERS}, so a typo
 * (`{{enviroment}}`) fails when the config is loaded instead of silently querying nothing.
 *
 * @example
 * ```ts
 * unknownPlaceholders("sum:x{env:{{env}}}"); // ["env"]
 * ```
 */
export function unknownPlaceholders(template: string): string[] {
  return unknownTemplatePlaceholders(template, QUERY_PLACEHOLDERS);
}

/**
 * Datadog's tag normalisation, applied to a value before it is put into a query: lower case;
 * only letters, digits, `_`, `-`, `:`, `.` and `/` kept, anything else becomes `_`; runs of
 * `_` collapse and trailing `_` go. Datadog applies the same rules when tags are ingested,
 * so a version such as `1.4.0+build.7` is stored as `1.4.0_build.7` — normalising makes the
 * query match what Datadog stored, and it also means no value can inject query syntax
 * (`{`, `}`, `,`, spaces, `!`, `*`, parentheses or quotes never survive).
 *
 * @example
 * ```ts
 * toDatadogTagValue("1.4.0+Build 7"); // "1.4.0_build_7"
 * ```
 */
export function toDatadogTagValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\-:./]/gu, "_")
    .replace(/_+/g, "_")
    .replace(/_+$/, "");
}

/**
 * Fills `{{placeholder}}`s in a Datadog query template with tag-normalised values.
 * Placeholders are meant for tag values (`service:{{service}}`); `{{window}}` is the window
 * length in whole seconds (for `.rollup(sum, {{window}})`).
 *
 * @example
 * ```ts
 * renderDatadogQuery("sum:trace.http.request.hits{service:{{service}}}.as_count()", values);
 * ```
 */
export function renderDatadogQuery(template: string, values: QueryTemplateValues): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (whole, name: string) => {
    if (!(QUERY_PLACEHOLDERS as readonly string[]).includes(name)) return whole;
    return toDatadogTagValue(values[name as QueryPlaceholder]);
  });
}

/** The known placeholders a template uses. */
export function placeholdersIn(template: string): QueryPlaceholder[] {
  const used = new Set<string>();
  for (const match of template.matchAll(TEMPLATE_PLACEHOLDER)) used.add(match[1] ?? "");
  return QUERY_PLACEHOLDERS.filter((name) => used.has(name));
}

/**
 * The placeholders used by `templates` whose value normalises to nothing: `service:` with an
 * empty value would be a different query from the one the user meant, so it is refused.
 */
export function emptyAfterNormalisation(
  templates: readonly string[],
  values: QueryTemplateValues,
): QueryPlaceholder[] {
  const used = new Set(templates.flatMap(placeholdersIn));
  return QUERY_PLACEHOLDERS.filter(
    (name) => used.has(name) && toDatadogTagValue(values[name]) === "",
  );
}
