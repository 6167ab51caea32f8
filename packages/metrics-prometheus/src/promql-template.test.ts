import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_QUERIES, defaultMatchers } from "./default-queries.js";
import {
  compilePromqlTemplate,
  escapePromqlString,
  type PromqlTemplateValues,
  renderPromqlTemplate,
} from "./promql-template.js";
import { wellFormed } from "./testing/well-formed.js";

const values: PromqlTemplateValues = {
  service: "checkout",
  version: "1.5.0",
  track: "canary",
  environment: "prod",
  window: "600s",
};

function render(source: string, v: Partial<PromqlTemplateValues> = {}, allowMatchers = true) {
  const compiled = compilePromqlTemplate(source, { field: "q", allowMatchers });
  if (compiled.isErr()) throw compiled.error;
  return renderPromqlTemplate(compiled.value, { ...values, ...v });
}

/**
 * Reads a PromQL string literal the way Prometheus' lexer does (Go escapes), returning the
 * decoded value and the text after the closing quote.
 */
function readLiteral(text: string): { value: string; rest: string } {
  const quote = text[0];
  if (quote !== '"' && quote !== "'") throw new Error(`not a literal: ${text}`);
  let value = "";
  let i = 1;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === quote) return { value, rest: text.slice(i + 1) };
    if (ch === "\n") throw new Error("raw newline in literal");
    if (ch === "\uFFFD") throw new Error("raw U+FFFD in literal (Prometheus rejects it)");
    if (ch !== "\\") {
      value += ch;
      i += 1;
      continue;
    }
    const next = text[i + 1] as string;
    const simple: Record<string, string> = {
      n: "\n",
      r: "\r",
      t: "\t",
      "\\": "\\",
      [quote]: quote,
    };
    if (next in simple) {
      value += simple[next];
      i += 2;
    } else if (next === "u") {
      value += String.fromCodePoint(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else throw new Error(`escape \\${next} is not valid in a ${quote} literal`);
  }
  throw new Error("unterminated literal");
}

const nasty = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      '"',
      "'",
      "\\",
      "`",
      "}",
      "{",
      "\n",
      "\r",
      "\t",
      "\u0000",
      "\uFFFD",
      "\uD800",
      ",",
    ),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

describe("escapePromqlString", () => {
  it("round-trips any value through a double-quoted literal and never closes it early", () => {
    fc.assert(
      fc.property(nasty, (value) => {
        const rendered = render('up{service="{{service}}"} > 0', {
          service: value,
        })._unsafeUnwrap();
        const literal = readLiteral(rendered.slice("up{service=".length));
        expect(literal.value).toBe(wellFormed(value));
        expect(literal.rest).toBe("} > 0");
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any value through a single-quoted literal", () => {
    fc.assert(
      fc.property(nasty, (value) => {
        const rendered = render("up{version='{{version}}'}", { version: value })._unsafeUnwrap();
        const literal = readLiteral(rendered.slice("up{version=".length));
        expect(literal.value).toBe(wellFormed(value));
        expect(literal.rest).toBe("}");
      }),
      { numRuns: 500 },
    );
  });

  it("escapes the classic break-out attempt", () => {
    expect(escapePromqlString('x"} or vector(1) #', '"')).toBe('x\\"} or vector(1) #');
    expect(escapePromqlString("a\\", '"')).toBe("a\\\\");
    expect(escapePromqlString("it's", "'")).toBe("it\\'s");
    expect(escapePromqlString('say "hi"', "'")).toBe('say "hi"');
  });
});

describe("compilePromqlTemplate", () => {
  it("accepts every default template and renders them with escaped matchers", () => {
    const matchers = render(defaultMatchers("app", "app_version"), { service: 'a"b' }, false);
    expect(matchers._unsafeUnwrap()).toBe('app="a\\"b",app_version="1.5.0"');
    const q = render(DEFAULT_QUERIES.error_rate, { matchers: matchers._unsafeUnwrap() });
    expect(q._unsafeUnwrap()).toBe(
      '(sum(rate(http_requests_total{app="a\\"b",app_version="1.5.0",code=~"5.."}[600s])) or vector(0)) / sum(rate(http_requests_total{app="a\\"b",app_version="1.5.0"}[600s]))',
    );
    expect(render(DEFAULT_QUERIES.p95_latency_ms, { matchers: "x" })._unsafeUnwrap()).toBe(
      "1000 * histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{x}[600s])))",
    );
  });

  it("fills every placeholder, with or without spaces inside the braces", () => {
    const out = render(
      'm{s="{{service}}",v="{{ version }}",t="{{track}}",e="{{environment}}",w="{{window}}"}[{{window}}]',
    );
    expect(out._unsafeUnwrap()).toBe(
      'm{s="checkout",v="1.5.0",t="canary",e="prod",w="600s"}[600s]',
    );
  });

  it.each([
    ["up{service={{service}}}", "must be inside a quoted string"],
    ["sum(rate(x[{{windows}}]))", "unknown placeholder {{windows}}"],
    ['up{service="{{service}}}', "unterminated string literal"],
    ['up{x="{{matchers}}"}', "{{matchers}} must be outside quotes"],
    ['up # "{{service}}"', "inside a # comment"],
  ])("refuses %s", (source, message) => {
    const compiled = compilePromqlTemplate(source, {
      field: "with.queries.error_rate",
      allowMatchers: true,
    });
    expect(compiled.isErr()).toBe(true);
    const error = compiled._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(error.field).toBe("with.queries.error_rate");
    expect(error.message).toContain(message);
  });

  it("refuses {{matchers}} inside the matchers template itself", () => {
    const compiled = compilePromqlTemplate("{{matchers}}", { field: "m", allowMatchers: false });
    expect(compiled._unsafeUnwrapErr().message).toContain("cannot be used here");
  });

  it("does not mistake an escaped quote for the end of a literal", () => {
    expect(render('up{a="x\\"{{service}}"}')._unsafeUnwrap()).toBe('up{a="x\\"checkout"}');
  });

  it("puts values in backtick strings verbatim, refusing what would end them", () => {
    expect(render("up{a=`{{service}}`}", { service: 'x"\\y' })._unsafeUnwrap()).toBe(
      'up{a=`x"\\y`}',
    );
    const refused = render("up{a=`{{service}}`}", { service: "x`} or vector(1)" });
    expect(refused._unsafeUnwrapErr().kind).toBe("invalid_input");
  });
});
