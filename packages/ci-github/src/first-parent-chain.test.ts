import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstParentChain } from "./first-parent-chain.js";

describe("firstParentChain", () => {
  it("keeps landed commits and leaves a merged branch's own commits out", () => {
    // a - b - m - d   (m merges x1 - x2 off b)
    const commits = [
      { sha: "b", parents: ["a"] },
      { sha: "x1", parents: ["b"] },
      { sha: "x2", parents: ["x1"] },
      { sha: "m", parents: ["b", "x2"] },
      { sha: "d", parents: ["m"] },
    ];
    expect(firstParentChain(commits)).toEqual(["b", "m", "d"]);
  });

  it("is empty for an empty range", () => {
    expect(firstParentChain([])).toEqual([]);
  });

  it("on a linear history returns every commit, oldest first, whatever the input order", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.infiniteStream(fc.double()), (n, noise) => {
        const linear = Array.from({ length: n }, (_, i) => ({
          sha: `c${i}`,
          parents: i === 0 ? ["outside"] : [`c${i - 1}`],
        }));
        const shuffled = linear
          .map((c) => ({ c, k: noise.next().value }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.c);
        expect(firstParentChain(shuffled)).toEqual(linear.map((c) => c.sha));
      }),
    );
  });

  it("every chain member is in the range and each is the first parent of the next", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), (merges) => {
        const commits: { sha: string; parents: string[] }[] = [];
        let tip = "base";
        merges.forEach((isMerge, i) => {
          if (isMerge) {
            commits.push({ sha: `s${i}`, parents: [tip] });
            commits.push({ sha: `m${i}`, parents: [tip, `s${i}`] });
            tip = `m${i}`;
          } else {
            commits.push({ sha: `c${i}`, parents: [tip] });
            tip = `c${i}`;
          }
        });
        const chain = firstParentChain(commits);
        expect(chain).toHaveLength(merges.length);
        expect(chain.at(-1)).toBe(tip);
        const bySha = new Map(commits.map((c) => [c.sha, c]));
        for (let i = 1; i < chain.length; i++) {
          expect(bySha.get(chain[i]!)?.parents[0]).toBe(chain[i - 1]);
        }
        expect(chain.some((sha) => sha.startsWith("s"))).toBe(false);
      }),
    );
  });
});
