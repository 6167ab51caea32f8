import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { readFrontMatter, renderFrontMatter } from "./front-matter.js";

const viaLibrary = (data: Record<string, unknown>) =>
  `---\n${stringify(data, { lineWidth: 0 }).trimEnd()}\n---\n`;

describe("front matter", () => {
  it("writes a report's flat front matter exactly as the YAML library does", () => {
    const data = {
      version: "v1.4.0",
      sha: "3f2a9c1d4b5e6f708192a3b4c5d6e7f809a1b2c3",
      all_digits: "1111111111111111111111111111111111111111",
      float_like: "12e45",
      status: "SUCCESS",
      exit_code: 0,
      dry_run: false,
      started: "2026-01-05T10:00:00.000Z",
      ratio: 0.015,
      tiny: 1e-7,
      rollback_verified: null,
      skipped: undefined,
      word: "null",
      spaced: "two words",
      nested: undefined,
    };
    expect(renderFrontMatter(data)).toBe(viaLibrary(data));
    expect(readFrontMatter(`${renderFrontMatter(data)}# Report\n`)).toMatchObject({
      sha: data.sha,
      all_digits: data.all_digits,
      float_like: "12e45",
      word: "null",
      rollback_verified: null,
    });
  });

  it("matches the library on any flat mapping of scalars (property)", () => {
    const text = fc.string({
      unit: fc.constantFrom(..."aeEx0o19.:-_/+@ #'\"TtNnrufl~"),
      maxLength: 12,
    });
    const scalar = fc.oneof(
      text,
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), scalar), (data) => {
        expect(renderFrontMatter(data)).toBe(viaLibrary(data));
      }),
      { numRuns: 2000 },
    );
  });

  it("falls back to the library for nested values", () => {
    const data = { version: "v1", steps: [{ weight: 5 }], tags: { a: "b c" } };
    expect(renderFrontMatter(data)).toBe(viaLibrary(data));
  });
});
