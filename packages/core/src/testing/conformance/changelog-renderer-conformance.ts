import { expect, it } from "vitest";
import type { ChangelogRenderer } from "../../contracts/changelog-renderer.js";
import { defineConformanceSuite } from "./conformance-suite.js";
import { conformanceChanges } from "./fixtures.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a ChangelogRenderer's test provides. */
export interface ChangelogRendererConformanceSetup {
  renderer: ChangelogRenderer;
}

/** The shared suite every {@link ChangelogRenderer} runs against itself. */
export const describeChangelogRendererConformance =
  defineConformanceSuite<ChangelogRendererConformanceSetup>("ChangelogRenderer", (s) => {
    const render = () =>
      settle(() =>
        s().renderer.render(
          { version: "v1.4.0", previousVersion: "v1.3.2", changes: conformanceChanges },
          { signal: liveSignal() },
        ),
      );

    it("groups by conventional-commit type, then label, else other", async () => {
      const { changelog } = expectOk(await render());
      const numbers = (t: keyof typeof changelog.groups) =>
        changelog.groups[t].map((e) => e.change.number);
      expect(numbers("feat")).toEqual([101]);
      expect(numbers("fix")).toEqual([102]);
      expect(numbers("docs")).toEqual([103]);
      expect(numbers("chore")).toEqual([104]);
      expect(numbers("other")).toEqual([105]);
      expect(changelog.breaking.map((e) => e.change.number)).toEqual([102]);
      expect(changelog.total).toBe(conformanceChanges.length);
    });

    it("renders markdown with links, authors and reviewers", async () => {
      const { markdown } = expectOk(await render());
      expect(markdown).toContain("v1.4.0");
      expect(markdown).toContain("https://git.example.com/acme/shop/pull/101");
      expect(markdown).toContain("alice");
      expect(markdown).toContain("dave");
      expect(markdown).toContain("#103");
    });
  });
