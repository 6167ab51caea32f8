import { describe, expect, it } from "vitest";
import { attemptOf, nextAttempt, reportFileName } from "./report-path.js";

describe("report file names", () => {
  it("numbers attempts -retry1, -retry2 after the first", () => {
    expect(reportFileName("v1.4.0", 0)).toBe("release-v1.4.0.md");
    expect(reportFileName("v1.4.0", 2)).toBe("release-v1.4.0-retry2.md");
    expect(nextAttempt([], "v1.4.0")).toBe(0);
    expect(nextAttempt(["release-v1.4.0.md"], "v1.4.0")).toBe(1);
    expect(
      nextAttempt(
        ["release-v1.4.0.md", "release-v1.4.0-retry3.md", "release-v1.4.00.md"],
        "v1.4.0",
      ),
    ).toBe(4);
  });

  it("does not confuse versions that share a prefix, nor dry runs with releases", () => {
    expect(attemptOf("release-v1.4.0-rc.1.md", "v1.4.0")).toBeNull();
    expect(attemptOf("release-v1.4.0-dryrun.md", "v1.4.0")).toBeNull();
    expect(attemptOf("release-v1.4.0-dryrun.md", "v1.4.0", true)).toBe(0);
    expect(nextAttempt(["release-v1.4.0-dryrun.md"], "v1.4.0")).toBe(0);
  });
});
