import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChangeRecord } from "../contracts/source-control.js";
import { conformanceChanges } from "../testing/conformance/fixtures.js";
import { rankSuspects } from "./suspect-ranking.js";

describe("suspect ranking", () => {
  it("flags the breaking runtime change as the likely culprit, with reasons", () => {
    const ranked = rankSuspects(conformanceChanges);
    const culprit = ranked.find((s) => s.likelyCulprit)!;
    // #101 (feat, runtime + data access) and #102 (breaking fix) both score 7: the later merge wins.
    expect(culprit.change.number).toBe(102);
    expect(culprit.reason).toContain("breaking change");
    expect(culprit.reason).toContain("merged last among equals");
    expect(ranked.filter((s) => s.likelyCulprit)).toHaveLength(1);
    expect(ranked.find((s) => s.change.number === 103)).toMatchObject({
      score: 0,
      reason: "docs, tests or CI only",
    });
  });

  it("breaks ties by the latest merge", () => {
    const a: ChangeRecord = {
      ...conformanceChanges[4]!,
      number: 1,
      mergedAt: "2026-01-01T00:00:00Z",
    };
    const b: ChangeRecord = {
      ...conformanceChanges[4]!,
      number: 2,
      mergedAt: "2026-01-02T00:00:00Z",
    };
    expect(rankSuspects([a, b])[0]).toMatchObject({ likelyCulprit: true, change: { number: 2 } });
    expect(rankSuspects([b, a])[0]?.change.number).toBe(2);
  });

  it("names no culprit when only docs changed, and keeps every change (property)", () => {
    expect(rankSuspects([conformanceChanges[2]!]).some((s) => s.likelyCulprit)).toBe(false);
    fc.assert(
      fc.property(fc.subarray(conformanceChanges), (changes) => {
        const ranked = rankSuspects(changes);
        expect(ranked).toHaveLength(changes.length);
        expect(ranked.filter((s) => s.likelyCulprit).length).toBeLessThanOrEqual(1);
        for (let i = 1; i < ranked.length; i++)
          expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
      }),
    );
  });
});
