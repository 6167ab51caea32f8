import { describe, expect, it } from "vitest";
import { pause } from "./pause.js";

describe("pause", () => {
  it("resolves after the wait, and rejects as aborted when the signal fires first or already has", async () => {
    await expect(pause(1, undefined)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = pause(10_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ kind: "aborted" });
    await expect(pause(1, controller.signal)).rejects.toMatchObject({ kind: "aborted" });
  });
});
