import { describe, expect, it } from "vitest";
import { incidentReleaseKey, incidentReleaseKeyScope } from "./incident-release-key.js";

describe("incidentReleaseKey", () => {
  it("names the release, and its scope reads back from it", () => {
    const key = incidentReleaseKey({
      service: "shop",
      environment: "prod-eu",
      version: "v1.4.0",
      run: "runner-7-4242-1767607200000-1",
    });
    expect(key).toBe("shipgate/shop/prod-eu/v1.4.0/runner-7-4242-1767607200000-1");
    expect(incidentReleaseKeyScope(key)).toEqual({ service: "shop", environment: "prod-eu" });
  });

  it("reads no scope from a key of another shape", () => {
    for (const key of [
      "",
      "shipgate/shop",
      "shipgate/shop/prod",
      "other/shop/prod/v1/r",
      "shipgate//prod/v1/r",
    ])
      expect(incidentReleaseKeyScope(key), key).toBeNull();
  });
});
