import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EXPRESSION_SAFE_VALUE,
  type QueryTemplateValues,
  renderDimensionValue,
  renderExpression,
  unknownPlaceholders,
} from "./query-template.js";

const benign: QueryTemplateValues = {
  service: "checkout",
  version: "1.4.0",
  track: "canary",
  environment: "prod",
  window: "600",
};

const hostile = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "'",
    '"',
    "\\",
    "x' OR '1'='1",
    'a", "Sum", 60) + SEARCH("',
    "}",
    ")",
    " ",
    "a b",
    "1.4.0+build.7",
    "eu-west-1/prod:blue",
  ),
  fc
    .array(fc.constantFrom("'", '"', "(", ")", ",", " ", "a", "1", ".", "-", "{", "}"), {
      maxLength: 12,
    })
    .map((cs) => cs.join("")),
);
const values = fc.record({
  service: hostile,
  version: hostile,
  track: hostile,
  environment: hostile,
  window: fc.constant("600"),
});

/** Splits an expression into code and quoted literals (CloudWatch has no escapes inside them). */
function tokens(expression: string): { code: string[]; literals: string[] } {
  const code: string[] = [];
  const literals: string[] = [];
  let rest = expression;
  for (;;) {
    const m = /['"]/.exec(rest);
    if (!m) {
      code.push(rest);
      return { code, literals };
    }
    code.push(rest.slice(0, m.index));
    const close = rest.indexOf(m[0], m.index + 1);
    if (close < 0) {
      code.push(rest.slice(m.index));
      return { code, literals };
    }
    literals.push(rest.slice(m.index + 1, close));
    rest = rest.slice(close + 1);
  }
}

const EXPRESSIONS = [
  `SELECT SUM(RequestCount) FROM "AWS/ApplicationELB" WHERE TargetGroup = 'targetgroup/{{service}}-{{track}}/6d0e' AND env = '{{environment}}'`,
  `SEARCH('{AWS/ApplicationELB,TargetGroup} MetricName="RequestCount" TargetGroup="{{service}}-{{track}}"', 'Sum', {{window}})`,
  "100 * errors / requests",
];

describe("renderExpression", () => {
  it("no placeholder value can change an expression's structure: it is refused or stays inside its literal", () => {
    fc.assert(
      fc.property(values, (v) => {
        for (const template of EXPRESSIONS) {
          const rendered = renderExpression(template, v);
          const expected = tokens(renderExpression(template, benign)._unsafeUnwrap());
          if (rendered.isErr()) {
            expect(EXPRESSION_SAFE_VALUE.test(v[rendered.error.placeholder])).toBe(false);
            continue;
          }
          const actual = tokens(rendered.value);
          expect(actual.code).toEqual(expected.code);
          expect(actual.literals).toHaveLength(expected.literals.length);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("renders safe values verbatim, including {{window}}", () => {
    expect(renderExpression(EXPRESSIONS[1]!, benign)._unsafeUnwrap()).toBe(
      `SEARCH('{AWS/ApplicationELB,TargetGroup} MetricName="RequestCount" TargetGroup="checkout-canary"', 'Sum', 600)`,
    );
    const refused = renderExpression(EXPRESSIONS[0]!, { ...benign, service: "x' OR '1'='1" });
    expect(refused._unsafeUnwrapErr().placeholder).toBe("service");
  });
});

describe("renderDimensionValue", () => {
  it("substitutes verbatim (CloudWatch matches exactly) and survives the JSON request body", () => {
    fc.assert(
      fc.property(values, (v) => {
        const r = renderDimensionValue("targetgroup/{{service}}-{{track}}/6d0e", v);
        if (r.isErr()) {
          expect(v.service === "" || v.track === "" || r.error.reason.includes("1024")).toBe(true);
          return;
        }
        expect(r.value).toBe(`targetgroup/${v.service}-${v.track}/6d0e`);
        const body = JSON.stringify({ Dimensions: [{ Name: "TargetGroup", Value: r.value }] });
        expect(JSON.parse(body).Dimensions).toEqual([{ Name: "TargetGroup", Value: r.value }]);
      }),
    );
  });

  it("refuses an empty placeholder and an over-long value", () => {
    expect(
      renderDimensionValue("{{service}}", { ...benign, service: "" })._unsafeUnwrapErr(),
    ).toEqual({
      placeholder: "service",
      reason: "is empty",
    });
    expect(
      renderDimensionValue("{{service}}", { ...benign, service: "x".repeat(1025) }).isErr(),
    ).toBe(true);
    expect(renderDimensionValue("fixed", { ...benign, service: "" })._unsafeUnwrap()).toBe("fixed");
  });

  it("reports unknown placeholders", () => {
    expect(unknownPlaceholders("{{env}}-{{ track }}-{{svc}}")).toEqual(["env", "svc"]);
  });
});
