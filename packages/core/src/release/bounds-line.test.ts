import { describe, expect, it } from "vitest";
import { boundsLine } from "./bounds-line.js";

const written = (bounds: readonly (number | "+Inf")[]) =>
  JSON.stringify(bounds).replaceAll(",", ", ");

describe("boundsLine", () => {
  it("writes the bounds as JSON with a space after each comma", () => {
    expect(boundsLine([1, 1.0905077326652577, "+Inf"])).toBe('[1, 1.0905077326652577, "+Inf"]');
  });

  it("gives each set of bounds its own line, however the one before it read", () => {
    const a = [1, 2, 4, "+Inf"] as const;
    expect(boundsLine(a)).toBe(written(a));
    expect(boundsLine([...a])).toBe(written(a));
    // Same length and start, a different bound later: not the kept line.
    const b = [1, 2, 5, "+Inf"] as const;
    expect(boundsLine(b)).toBe(written(b));
    expect(boundsLine([1, 2, 4])).toBe(written([1, 2, 4]));
    expect(boundsLine(a)).toBe(written(a));
  });

  it("keeps a copy: changing the caller's array afterwards does not change the next line", () => {
    const bounds: (number | "+Inf")[] = [3, 6, "+Inf"];
    expect(boundsLine(bounds)).toBe('[3, 6, "+Inf"]');
    bounds[1] = 7;
    expect(boundsLine(bounds)).toBe('[3, 7, "+Inf"]');
  });
});
