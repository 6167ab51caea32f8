import { describe, expect, it } from "vitest";
import { errorRateReading } from "./error-rate-reading.js";

describe("errorRateReading", () => {
  it("divides, and says no data when the errors exceed the requests", () => {
    expect(errorRateReading(5, 1000)).toEqual({ kind: "value", value: 0.005 });
    expect(errorRateReading(12, 10, "hits")).toEqual({
      kind: "no_data",
      reason: "errors (12) exceed hits (10); the two queries do not count the same requests",
    });
  });
});
