import { ShipgateError } from "@shipgate/core";
import { err, ok, type Result } from "neverthrow";

/** Placeholders whose values come from the release (service, version, …) and must be escaped. */
export const IDENTITY_PLACEHOLDERS = ["service", "version", "track", "environment"] as const;

/** Every placeholder a query template may use. */
export const PLACEHOLDERS = [...IDENTITY_PLACEHOLDERS, "window", "matchers"] as const;

/** A placeholder name, e.g. `service` for `{{service}}`. */
export type PlaceholderName = (typeof PLACEHOLDERS)[number];

/** Where in the PromQL text a placeholder sits; decides how its value is escaped. */
export type PlaceholderContext = "code" | "double_quoted" | "single_quoted" | "backtick";

/** One piece of a compiled template. */
export type PromqlTemplatePart =
  | { kind: "text"; text: string }
  | { kind: "placeholder"; name: PlaceholderName; context: PlaceholderContext };

/** A template checked once at configuration time and rendered for every measurement. */
export interface PromqlTemplate {
  readonly source: string;
  readonly parts: readonly PromqlTemplatePart[];
}

/** The values placeholders are replaced with. `matchers` is an already-rendered fragment. */
export interface PromqlTemplateValues {
  service: string;
  version: string;
  track: string;
  environment: string;
  /** A PromQL duration such as `600s`. */
  window: string;
  matchers?: string;
}

/** Options for {@link compilePromqlTemplate}. */
export interface CompileOptions {
  /** The config field the template came from, named in errors (`with.queries.error_rate`). */
  field: string;
  /** Whether `{{matchers}}` may be used (not inside the matchers template itself). */
  allowMatchers: boolean;
}

const PLACEHOLDER_AT = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/;

function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

function isIdentity(name: PlaceholderName): boolean {
  return (IDENTITY_PLACEHOLDERS as readonly string[]).includes(name);
}

function templateError(field: string, message: string): ShipgateError<"invalid_input"> {
  return new ShipgateError("invalid_input", `Query template ${field}: ${message}`, {
    field,
    hint: 'Put {{service}}, {{version}}, {{track}} and {{environment}} inside a quoted label value (service="{{service}}"); {{window}} and {{matchers}} go outside quotes',
  });
}

/**
 * Checks a PromQL template and records, for each placeholder, whether it sits inside a
 * string literal. That is what makes escaping sound: a value can only be escaped for the
 * quote it is enclosed in, so identity values outside any literal are refused here rather
 * than pasted in as PromQL code.
 *
 * @example
 * ```ts
 * const t = compilePromqlTemplate('up{service="{{service}}"}', { field: "q", allowMatchers: false });
 * ```
 */
export function compilePromqlTemplate(
  source: string,
  options: CompileOptions,
): Result<PromqlTemplate, ShipgateError<"invalid_input">> {
  const parts: PromqlTemplatePart[] = [];
  let text = "";
  let state: "code" | "double_quoted" | "single_quoted" | "backtick" | "comment" = "code";
  let i = 0;
  while (i < source.length) {
    const placeholder = PLACEHOLDER_AT.exec(source.slice(i, i + 64));
    if (placeholder) {
      const name = placeholder[1] ?? "";
      if (!isPlaceholderName(name)) {
        return err(
          templateError(
            options.field,
            `unknown placeholder {{${name}}} (known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")})`,
          ),
        );
      }
      if (state === "comment") {
        return err(templateError(options.field, `placeholder {{${name}}} inside a # comment`));
      }
      if (name === "matchers" && !options.allowMatchers) {
        return err(templateError(options.field, "{{matchers}} cannot be used here"));
      }
      if (name === "matchers" && state !== "code") {
        return err(
          templateError(options.field, "{{matchers}} must be outside quotes, inside { … }"),
        );
      }
      if (isIdentity(name) && state === "code") {
        return err(
          templateError(
            options.field,
            `{{${name}}} must be inside a quoted string (e.g. label="{{${name}}}") so its value can be escaped`,
          ),
        );
      }
      if (text) parts.push({ kind: "text", text });
      text = "";
      parts.push({ kind: "placeholder", name, context: state });
      i += placeholder[0].length;
      continue;
    }
    const ch = source[i] as string;
    text += ch;
    i += 1;
    switch (state) {
      case "code":
        if (ch === '"') state = "double_quoted";
        else if (ch === "'") state = "single_quoted";
        else if (ch === "`") state = "backtick";
        else if (ch === "#") state = "comment";
        break;
      case "double_quoted":
      case "single_quoted":
        if (ch === "\\" && i < source.length) {
          // An escape: the next character can never close the literal.
          text += source[i];
          i += 1;
        } else if (ch === (state === "double_quoted" ? '"' : "'")) state = "code";
        else if (ch === "\n") return err(templateError(options.field, "newline inside a string"));
        break;
      case "backtick":
        if (ch === "`") state = "code";
        break;
      case "comment":
        if (ch === "\n") state = "code";
        break;
    }
  }
  if (state !== "code" && state !== "comment") {
    return err(templateError(options.field, "unterminated string literal"));
  }
  if (text) parts.push({ kind: "text", text });
  return ok({ source, parts });
}

function hex4(codePoint: number): string {
  return codePoint.toString(16).toUpperCase().padStart(4, "0");
}

/**
 * Escapes a value for a PromQL double- or single-quoted string literal, so the result
 * reads back as exactly `value` and can never close the literal early.
 *
 * PromQL's lexer follows Go's escapes; besides `\\` and the quote, it rejects a raw
 * newline and a raw U+FFFD (it reads that as an invalid UTF-8 rune), so those and the
 * other control characters are written as escapes. A lone UTF-16 surrogate cannot be sent
 * as UTF-8 at all; it becomes U+FFFD, as `fetch` would make it anyway.
 */
export function escapePromqlString(value: string, quote: '"' | "'"): string {
  let out = "";
  for (const ch of value) {
    const cp = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\u${hex4(cp)}`;
    else if (cp === 0xfffd || (cp >= 0xd800 && cp <= 0xdfff)) out += "\\uFFFD";
    else out += ch;
  }
  return out;
}

function renderValue(
  name: PlaceholderName,
  value: string,
  context: PlaceholderContext,
  source: string,
): Result<string, ShipgateError<"invalid_input">> {
  switch (context) {
    case "double_quoted":
      return ok(escapePromqlString(value, '"'));
    case "single_quoted":
      return ok(escapePromqlString(value, "'"));
    case "backtick":
      // A raw string has no escapes: refuse what would end it or that PromQL rejects.
      if (/[`\uFFFD\uD800-\uDFFF]/.test(value)) {
        return err(
          new ShipgateError(
            "invalid_input",
            `The ${name} value ${JSON.stringify(value)} cannot be placed in a backtick string of query template ${JSON.stringify(source)}`,
            { field: name, hint: "Use a double-quoted label value in the template" },
          ),
        );
      }
      return ok(value);
    case "code":
      return ok(value);
  }
}

/**
 * Replaces the placeholders of a compiled template. Identity values are escaped for the
 * string literal they sit in; `{{window}}` and `{{matchers}}` are inserted as PromQL.
 */
export function renderPromqlTemplate(
  template: PromqlTemplate,
  values: PromqlTemplateValues,
): Result<string, ShipgateError<"invalid_input">> {
  let out = "";
  for (const part of template.parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = values[part.name];
    if (value === undefined) {
      return err(
        new ShipgateError("invalid_input", `No value for {{${part.name}}}`, { field: part.name }),
      );
    }
    const rendered = renderValue(part.name, value, part.context, template.source);
    if (rendered.isErr()) return err(rendered.error);
    out += rendered.value;
  }
  return ok(out);
}
