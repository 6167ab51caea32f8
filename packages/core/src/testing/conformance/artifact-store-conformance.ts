import { expect, it } from "vitest";
import type { ArtifactStore } from "../../contracts/artifact-store.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  expectErrorKind,
} from "./conformance-suite.js";
import { expectOk, settle } from "./run-safely.js";

/** What an ArtifactStore's test provides. */
export interface ArtifactStoreConformanceSetup extends ConformanceCleanup {
  store: ArtifactStore;
}

/** The shared suite every {@link ArtifactStore} runs against itself. */
export const describeArtifactStoreConformance =
  defineConformanceSuite<ArtifactStoreConformanceSetup>("ArtifactStore", (s) => {
    it("creates an artifact once and never overwrites it", async () => {
      const path = `reports/a-${Date.now()}.md`;
      expect(expectOk(await settle(() => s().store.createExclusive(path, "first"))).path).toBe(
        path,
      );
      const again = await settle(() => s().store.createExclusive(path, "second"));
      expectErrorKind(again, "exists");
      expect(expectOk(await settle(() => s().store.read(path)))).toBe("first");
    });

    it("replaces status files and reads them back", async () => {
      const path = "status/now.json";
      expectOk(await settle(() => s().store.writeStatus(path, "1")));
      expectOk(await settle(() => s().store.writeStatus(path, "2")));
      expect(expectOk(await settle(() => s().store.read(path)))).toBe("2");
    });

    it("reads a missing artifact as null and lists a missing directory as empty", async () => {
      expect(expectOk(await settle(() => s().store.read("nope/missing.md")))).toBeNull();
      expect(expectOk(await settle(() => s().store.list("nope-dir")))).toEqual([]);
    });

    it("lists the names in a directory", async () => {
      expectOk(await settle(() => s().store.createExclusive("listing/x.md", "x")));
      expectOk(await settle(() => s().store.createExclusive("listing/y.md", "y")));
      expect(expectOk(await settle(() => s().store.list("listing"))).sort()).toEqual([
        "x.md",
        "y.md",
      ]);
    });

    it("refuses absolute paths and paths that leave the root", async () => {
      for (const bad of ["/etc/passwd", "../outside.md", "a/../../b.md", "C:\\x.md"]) {
        const settled = await settle(() => s().store.createExclusive(bad, "x"));
        expect(settled.ok, bad).toBe(false);
        if (!settled.ok) expect(settled.error.kind).toBe("invalid_input");
      }
    });
  });
