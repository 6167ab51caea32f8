import { TEMPLATE_PLACEHOLDER, unknownTemplatePlaceholders } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";

/** The placeholders a dimension value or expression may use. */
export const QUERY_PLACEHOLDERS = ["service", "version", "track", "environment", "window"] as const;

/** One placeholder name. */
export type QueryPlaceholder = (typeof QUERY_PLACEHOLDERS)[number];

/** The value of every placeholder for one measurement. */
export type QueryTemplateValues = Record<QueryPlaceholder, string>;

/**
 * Characters a placeholder value may carry into a metric-math / Metrics Insights
 * expression. Quotes, backslashes, brackets, commas, operators and white space could end a
 * string literal or start new syntax, so a value holding one is refused rather than escaped:
 * CloudWatch has no escape that works in both SEARCH and SELECT strings.
 */
export const EXPRESSION_SAFE_VALUE = /^[A-Za-z0-9_.:/@=+-]+$/;

/** CloudWatch's limit on a dimension value. */
export const MAX_DIMENSION_VALUE_LENGTH = 1024;

/** Why a template could not be rendered. */
export interface TemplateProblem {
  placeholder: QueryPlaceholder;
  reason: string;
}

/**
 * The placeholders in `template` that are not one of {@link QUERY_PLACEHOLDERS}.
 *
 * @example
 * ```ts
 * unknownPlaceholders("{{env}}-{{track}}"); // ["env"]
 * ```
 */
export function unknownPlaceholders(template: string): string[] {
  return unknownTemplatePlaceholders(template, QUERY_PLACEHOLDERS);
}

function substitute(template: string, values: QueryTemplateValues): string {
  return template.replace(TEMPLATE_PLACEHOLDER, (whole, name: string) =>
    (QUERY_PLACEHOLDERS as readonly string[]).includes(name)
      ? values[name as QueryPlaceholder]
      : whole,
  );
}

/**
 * The known placeholders a template uses.
 *
 * @example
 * ```ts
 * usedPlaceholders("targetgroup/{{service}}-{{track}}"); // ["service", "track"]
 * ```
 */
export function usedPlaceholders(template: string): QueryPlaceholder[] {
  const used = new Set<string>();
  for (const match of template.matchAll(TEMPLATE_PLACEHOLDER)) used.add(match[1] ?? "");
  return QUERY_PLACEHOLDERS.filter((name) => used.has(name));
}

/**
 * Renders a dimension value. Dimension values travel as JSON strings (`Dimensions:
 * [{Name, Value}]`), so no value can break the request's syntax; CloudWatch matches them
 * exactly (no normalisation), so they are substituted verbatim. Refused: an empty result
 * (it would match nothing) and one longer than CloudWatch's 1024-character limit.
 *
 * @example
 * ```ts
 * renderDimensionValue("targetgroup/{{service}}-{{track}}/6d0ecf831eec9f09", values);
 * ```
 */
export function renderDimensionValue(
  template: string,
  values: QueryTemplateValues,
): Result<string, TemplateProblem> {
  const used = usedPlaceholders(template);
  const empty = used.find((p) => values[p] === "");
  if (empty) return err({ placeholder: empty, reason: "is empty" });
  const rendered = substitute(template, values);
  if (rendered.length > MAX_DIMENSION_VALUE_LENGTH) {
    return err({
      placeholder: used[0] ?? "service",
      reason: `makes the dimension value longer than ${MAX_DIMENSION_VALUE_LENGTH} characters`,
    });
  }
  return ok(rendered);
}

/**
 * Renders a metric-math or Metrics Insights expression, refusing any used placeholder value
 * outside {@link EXPRESSION_SAFE_VALUE} so a value can never close a quoted string or add
 * an operator.
 *
 * @example
 * ```ts
 * renderExpression(`SELECT SUM(RequestCount) FROM "AWS/ApplicationELB" WHERE TargetGroup = '{{service}}'`, values);
 * ```
 */
export function renderExpression(
  template: string,
  values: QueryTemplateValues,
): Result<string, TemplateProblem> {
  for (const placeholder of usedPlaceholders(template)) {
    if (!EXPRESSION_SAFE_VALUE.test(values[placeholder])) {
      return err({
        placeholder,
        reason: `${JSON.stringify(values[placeholder])} has characters that are not allowed in an expression (only letters, digits and _ . : / @ = + -)`,
      });
    }
  }
  return ok(substitute(template, values));
}
