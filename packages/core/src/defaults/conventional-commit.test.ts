import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHANGE_TYPES } from "../contracts/changelog-renderer.js";
import type { ChangeRecord } from "../contracts/source-control.js";
import { classifyChange } from "./conventional-commit.js";

const change = (title: string, labels: string[] = []): ChangeRecord => ({
  number: 1,
  title,
  url: null,
  author: "alice",
  reviewers: [],
  labels,
  mergedAt: "2026-01-01T00:00:00Z",
  mergeSha: "a".repeat(40),
  files: [],
});

describe("classifyChange", () => {
  it.each([
    ["feat(api): add bulk export", "feat", "api", false, "add bulk export"],
    ["fix: handle empty cart", "fix", null, false, "handle empty cart"],
    ["fix(cart)!: change rounding", "fix", "cart", true, "change rounding"],
    ["docs(readme): typo", "docs", "readme", false, "typo"],
    ["chore(deps): bump lodash", "chore", "deps", false, "bump lodash"],
    ["perf: faster query", "chore", null, false, "faster query"],
    ["refactor(core): split", "chore", "core", false, "split"],
    ["build: node 20", "chore", null, false, "node 20"],
    ["ci: cache", "chore", null, false, "cache"],
    ["test: more", "chore", null, false, "more"],
    ["style: format", "chore", null, false, "format"],
    ["revert: feat(api): add x", "fix", null, false, "feat(api): add x"],
    ["Feat(API): Upper case type", "feat", "API", false, "Upper case type"],
    ["feat( ): empty scope", "feat", null, false, "empty scope"],
    [
      "feat: drop v1 BREAKING CHANGE: removes /v1",
      "feat",
      null,
      true,
      "drop v1 BREAKING CHANGE: removes /v1",
    ],
  ] as const)("%s → %s", (title, type, scope, breaking, description) => {
    expect(classifyChange(change(title))).toEqual({
      type,
      scope,
      breaking,
      description,
      classifiedBy: "title",
    });
  });

  // biome-ignore format: one case a row reads as a table
  it.each([
    ["Add export", "enhancement", "feat"],
    ["Crash on empty cart", "Type: Bug", "fix"],
    ["Update README", "documentation", "docs"],
    ["bump lodash", "dependencies", "chore"],
    ["tidy", "kind/maintenance", "chore"],
    ["wip: something", "bugfix", "fix"],
  ] as const)("falls back on labels when the title is not conventional, case- and prefix-insensitively: %s [%s] → %s", (title, label, type) => {
    expect(classifyChange(change(title, [label]))).toMatchObject({
      type,
      classifiedBy: "label",
      description: title,
    });
  });

  it("prefers the title over labels", () => {
    expect(classifyChange(change("docs: x", ["bug"]))).toMatchObject({
      type: "docs",
      classifiedBy: "title",
    });
  });

  it("says other when neither title nor labels tell", () => {
    expect(classifyChange(change("Tidy logging", ["needs-review"]))).toEqual({
      type: "other",
      scope: null,
      breaking: false,
      description: "Tidy logging",
      classifiedBy: "fallback",
    });
  });

  it.each([
    ["Rework auth", "BREAKING CHANGE", "other"],
    ["fix: x", "breaking-change", "fix"],
  ] as const)("marks breaking from a label too: %s [%s]", (title, label, type) => {
    expect(classifyChange(change(title, [label]))).toMatchObject({ type, breaking: true });
  });

  const anyChange = fc.record({
    number: fc.integer({ min: 1 }),
    title: fc.string(),
    url: fc.option(fc.webUrl(), { nil: null }),
    author: fc.string(),
    reviewers: fc.array(fc.string()),
    labels: fc.array(fc.string()),
    mergedAt: fc.constant("2026-01-01T00:00:00Z"),
    mergeSha: fc.constant("a".repeat(40)),
    files: fc.array(fc.string()),
  });

  it("never throws and always yields a known type (property)", () => {
    fc.assert(
      fc.property(anyChange, (c) => {
        const result = classifyChange(c);
        expect(CHANGE_TYPES).toContain(result.type);
        expect(["title", "label", "fallback"]).toContain(result.classifiedBy);
        expect(typeof result.description).toBe("string");
        expect(result.scope === null || typeof result.scope === "string").toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("always marks `feat!:` as a breaking feature (property)", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(fc.stringMatching(/^[a-z-]{1,10}$/), { nil: null }),
        fc.array(fc.string()),
        (rest, scope, labels) => {
          const title = `feat${scope ? `(${scope})` : ""}!:${rest}`;
          const result = classifyChange(change(title, labels));
          expect(result.breaking).toBe(true);
          expect(result.type).toBe("feat");
          expect(result.scope).toBe(scope);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps the title's words: a conventional description is a suffix of the title (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("feat", "fix", "docs", "chore", "perf"),
        fc.stringMatching(/^[a-z ]{1,20}$/),
        (type, desc) => {
          const result = classifyChange(change(`${type}: ${desc}`));
          expect(`${type}: ${desc}`.trim().endsWith(result.description)).toBe(true);
        },
      ),
    );
  });
});
