import { describe, it } from "vitest";

/**
 * A `describe` block that needs what this machine may lack (a real binary, a server):
 * skipped, with the reason in its title, when `missing` says why it cannot run; except in
 * CI (`SHIPGATE_REQUIRE_SERVERS=1`), where a missing need is a failing test instead.
 *
 * @example
 * ```ts
 * describeNeeding("kubectl cross-check", kubectl ? null : "kubectl is not installed", () => { … });
 * ```
 */
export function describeNeeding(title: string, missing: string | null, body: () => void): void {
  if (missing !== null && process.env.SHIPGATE_REQUIRE_SERVERS === "1") {
    describe(title, () => {
      it("has what it needs (SHIPGATE_REQUIRE_SERVERS=1)", () => {
        throw new Error(`${title} cannot run (SHIPGATE_REQUIRE_SERVERS=1): ${missing}`);
      });
    });
    return;
  }
  describe.skipIf(missing !== null)(`${title}${missing ? ` — skipped: ${missing}` : ""}`, body);
}
