import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { indentedJson, prettyJson } from "./pretty-json.js";

const json = fc.jsonValue();

describe("prettyJson", () => {
  it("writes what JSON.stringify(value, null, 2) writes", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(prettyJson(value)).toBe(JSON.stringify(value, null, 2));
      }),
    );
  });

  it("leaves out undefined members and writes null for undefined items, as JSON does", () => {
    const value = { a: undefined, b: [undefined, () => 1, 2], c: new Date(0), d: {} };
    expect(prettyJson(value)).toBe(JSON.stringify(value, null, 2));
  });

  it("uses the text `reuse` gives for an object instead of walking it", () => {
    const step = { weight: 5, polls: [1, 2, 3] };
    const file = { releases: [{ steps: [step, { weight: 25 }] }] };
    const seen: number[] = [];
    const text = prettyJson(file, (object, depth) => {
      if (object !== step) return undefined;
      seen.push(depth);
      return indentedJson(step, depth);
    });
    expect(text).toBe(JSON.stringify(file, null, 2));
    expect(seen).toEqual([4]);
    expect(prettyJson(file, (o) => (o === step ? '"reused"' : undefined))).toContain(
      '"steps": [\n        "reused",',
    );
  });
});
