import pc from "picocolors";
import { describe, expect, it } from "vitest";
import { describeEvent } from "./event-format.js";

const plain = pc.createColors(false);

describe("describeEvent", () => {
  it("says whether an incident was filed now or found, filed before a crash", () => {
    const base = {
      at: "2026-01-05T10:00:00.000Z",
      type: "incident.opened",
      sink: "github-issues",
      id: "42",
      url: "https://github.com/acme/checkout/issues/42",
    } as const;
    expect(describeEvent(base, plain)).toBe(
      "incident 42 opened (github-issues) https://github.com/acme/checkout/issues/42",
    );
    expect(describeEvent({ ...base, found: true }, plain)).toBe(
      "incident 42 already filed before the crash (github-issues) https://github.com/acme/checkout/issues/42",
    );
  });
});
