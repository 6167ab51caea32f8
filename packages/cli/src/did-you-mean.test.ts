import { describe, expect, it } from "vitest";
import { didYouMean, didYouMeanSuffix, levenshtein } from "./did-you-mean.js";

describe("levenshtein", () => {
  it("counts edits", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("same", "same")).toBe(0);
    expect(levenshtein("flaw", "lawn")).toBe(2);
  });
});

describe("didYouMean", () => {
  const keys = ["window_minutes", "error_rate_max", "p95_latency_ms"];
  it("finds a typo", () => {
    expect(didYouMean("windw_minutes", keys)).toBe("window_minutes");
    expect(didYouMean("error_rate_mx", keys)).toBe("error_rate_max");
  });
  it("treats dashes like underscores and ignores case", () => {
    expect(didYouMean("Window-Minutes", keys)).toBe("window_minutes");
  });
  it("says nothing when nothing is close", () => {
    expect(didYouMean("colour", keys)).toBeNull();
    expect(didYouMeanSuffix("colour", keys)).toBe("");
  });
  it("formats the hint", () => {
    expect(didYouMeanSuffix("deployr", ["deployer", "ci"])).toBe(' (did you mean "deployer"?)');
  });
});
