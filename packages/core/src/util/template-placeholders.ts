/** A `{{ name }}` placeholder in a query template; the name is the first group. */
export const TEMPLATE_PLACEHOLDER = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/**
 * The placeholder names in `template` that are not in `known`, each once, in order: so a
 * typo (`{{enviroment}}`) fails when the config is loaded instead of silently querying
 * nothing. Pure.
 *
 * @example
 * ```ts
 * unknownTemplatePlaceholders("{{env}}-{{track}}", ["service", "track"]); // ["env"]
 * ```
 */
export function unknownTemplatePlaceholders(template: string, known: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(TEMPLATE_PLACEHOLDER)) {
    const name = match[1] ?? "";
    if (!known.includes(name) && !unknown.includes(name)) unknown.push(name);
  }
  return unknown;
}
