import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_DATADOG_QUERIES } from "./datadog-queries.js";
import {
  emptyAfterNormalisation,
  type QueryTemplateValues,
  renderDatadogQuery,
  toDatadogTagValue,
  unknownPlaceholders,
} from "./query-template.js";
import { parseDatadogQuery } from "./testing/datadog-query-syntax.js";

const benign: QueryTemplateValues = {
  service: "checkout",
  version: "1.4.0",
  track: "canary",
  environment: "prod",
  window: "600",
};

// Strings that would break a naive substitution, mixed with arbitrary Unicode.
const hostile = fc.oneof(
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "}",
    "{",
    ",",
    "a,env:staging",
    "x} by {host}",
    "!prod",
    "*",
    "prod}.as_rate()",
    " ",
    "İstanbul",
    "1.4.0+build.7",
    "a:b",
    '"quoted"',
    "(x)",
  ),
  fc
    .array(fc.constantFrom("}", "{", ",", " ", "*", "!", "a", "1", ":", "."), { maxLength: 12 })
    .map((cs) => cs.join("")),
);

describe("toDatadogTagValue", () => {
  it("follows Datadog's tag normalisation", () => {
    expect(toDatadogTagValue("1.4.0+Build 7")).toBe("1.4.0_build_7");
    expect(toDatadogTagValue("Checkout-API")).toBe("checkout-api");
    expect(toDatadogTagValue("a  b!!")).toBe("a_b");
    expect(toDatadogTagValue("eu-west-1/prod:blue")).toBe("eu-west-1/prod:blue");
    expect(toDatadogTagValue("}{,")).toBe("");
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(hostile, (v) => {
        expect(toDatadogTagValue(toDatadogTagValue(v))).toBe(toDatadogTagValue(v));
      }),
    );
  });
});

describe("renderDatadogQuery", () => {
  it("renders the defaults into the documented trace metric queries", () => {
    expect(renderDatadogQuery(DEFAULT_DATADOG_QUERIES.errors, benign)).toBe(
      "sum:trace.http.request.errors{service:checkout,version:1.4.0,env:prod}.as_count()",
    );
    expect(renderDatadogQuery(DEFAULT_DATADOG_QUERIES.p95, benign)).toBe(
      "p95:trace.http.request{service:checkout,version:1.4.0,env:prod}",
    );
    expect(renderDatadogQuery("sum:x{track:{{ track }}}.rollup(sum, {{window}})", benign)).toBe(
      "sum:x{track:canary}.rollup(sum, 600)",
    );
  });

  it("no placeholder value can change the structure of a default query", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (service, version, track, environment) => {
        const values = { service, version, track, environment, window: "600" };
        fc.pre(
          emptyAfterNormalisation(Object.values(DEFAULT_DATADOG_QUERIES), values).length === 0,
        );
        for (const template of Object.values(DEFAULT_DATADOG_QUERIES)) {
          const expected = parseDatadogQuery(renderDatadogQuery(template, benign));
          const actual = parseDatadogQuery(renderDatadogQuery(template, values));
          if (!expected.ok || !actual.ok) throw new Error(`did not parse: ${template}`);
          expect(actual.value.aggregator).toBe(expected.value.aggregator);
          expect(actual.value.metric).toBe(expected.value.metric);
          expect(actual.value.modifier).toBe(expected.value.modifier);
          expect(actual.value.groupBy).toEqual([]);
          expect(actual.value.filters).toEqual([
            { key: "service", value: toDatadogTagValue(service), negated: false },
            { key: "version", value: toDatadogTagValue(version), negated: false },
            { key: "env", value: toDatadogTagValue(environment), negated: false },
          ]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("leaves unknown placeholders alone and reports them", () => {
    expect(unknownPlaceholders("sum:x{env:{{env}},svc:{{service}},v:{{ versoin }}}")).toEqual([
      "env",
      "versoin",
    ]);
    expect(unknownPlaceholders(DEFAULT_DATADOG_QUERIES.hits)).toEqual([]);
    expect(renderDatadogQuery("x{env:{{env}}}", benign)).toBe("x{env:{{env}}}");
  });

  it("flags only used placeholders that normalise to nothing", () => {
    const values = { ...benign, version: "+++", track: "}}" };
    expect(emptyAfterNormalisation([DEFAULT_DATADOG_QUERIES.hits], values)).toEqual(["version"]);
  });
});
