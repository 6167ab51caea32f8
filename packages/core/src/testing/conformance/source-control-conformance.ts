import { expect, it } from "vitest";
import type { SourceControl } from "../../contracts/source-control.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  expectErrorKind,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a SourceControl adapter's test provides: the adapter and facts about its seeded backend. */
export interface SourceControlConformanceSetup extends ConformanceCleanup {
  sourceControl: SourceControl;
  releaseBranch: string;
  /** A commit on the release branch. */
  onBranchSha: string;
  /** A commit that exists but is not on the release branch. */
  offBranchSha: string;
  /** A well-formed sha that does not exist. */
  missingSha: string;
  existingTag: { name: string; sha: string };
  missingTag: string;
  /** `listChanges(range)` must return exactly these PR numbers, oldest merge first. */
  range: { fromTag: string | null; toSha: string; expectedNumbers: number[] };
  /** Default true: the suite creates a tag on `onBranchSha`. */
  canCreateTags?: boolean;
}

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The shared suite every {@link SourceControl} runs against itself.
 *
 * @example
 * ```ts
 * describeSourceControlConformance("git cli", async () => ({ sourceControl, releaseBranch: "main", … }));
 * ```
 */
export const describeSourceControlConformance =
  defineConformanceSuite<SourceControlConformanceSetup>("SourceControl", (s) => {
    const options = () => ({ signal: liveSignal() });

    it("finds a commit on the release branch", async () => {
      const found = expectOk(
        await settle(() => s().sourceControl.getCommit(s().onBranchSha, options())),
      );
      expect(found).toMatchObject({
        sha: s().onBranchSha,
        exists: true,
        onReleaseBranch: true,
        releaseBranch: s().releaseBranch,
      });
    });

    it("reports a commit off the release branch as not on it", async () => {
      const found = expectOk(
        await settle(() => s().sourceControl.getCommit(s().offBranchSha, options())),
      );
      expect(found.exists).toBe(true);
      expect(found.onReleaseBranch).toBe(false);
    });

    it("reports a missing commit as a value, not an error", async () => {
      const found = expectOk(
        await settle(() => s().sourceControl.getCommit(s().missingSha, options())),
      );
      expect(found.exists).toBe(false);
      expect(found.onReleaseBranch).toBe(false);
    });

    it("reads an existing tag and the commit it points to", async () => {
      const tag = expectOk(
        await settle(() => s().sourceControl.getTag(s().existingTag.name, options())),
      );
      expect(tag).not.toBeNull();
      expect(tag?.name).toBe(s().existingTag.name);
      expect(tag?.sha).toBe(s().existingTag.sha);
    });

    it("returns null for a missing tag", async () => {
      expect(
        expectOk(await settle(() => s().sourceControl.getTag(s().missingTag, options()))),
      ).toBeNull();
    });

    it("lists every change in the range, oldest first, with complete records", async () => {
      const changes = expectOk(
        await settle(() =>
          s().sourceControl.listChanges(
            { fromTag: s().range.fromTag, toSha: s().range.toSha },
            options(),
          ),
        ),
      );
      expect(changes.map((c) => c.number)).toEqual(s().range.expectedNumbers);
      for (const c of changes) {
        expect(Number.isInteger(c.number) && c.number > 0).toBe(true);
        expect(typeof c.title).toBe("string");
        expect(c.author.length).toBeGreaterThan(0);
        expect(
          Array.isArray(c.reviewers) && Array.isArray(c.labels) && Array.isArray(c.files),
        ).toBe(true);
        expect(c.mergedAt).toMatch(isoDate);
        expect(c.mergeSha).toMatch(/^[0-9a-f]{40}$/);
        expect(c.url === null || /^https?:\/\//.test(c.url)).toBe(true);
      }
      const times = changes.map((c) => Date.parse(c.mergedAt));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    });

    it("creates an annotated tag, reads it back, and refuses to create it twice", async () => {
      if (s().canCreateTags === false) return;
      const tagName = `v0.0.0-conformance.${Date.now()}`;
      const created = expectOk(
        await settle(() =>
          s().sourceControl.createAnnotatedTag(
            { name: tagName, sha: s().onBranchSha, message: "conformance" },
            options(),
          ),
        ),
      );
      expect(created).toMatchObject({ name: tagName, sha: s().onBranchSha, annotated: true });
      const read = expectOk(await settle(() => s().sourceControl.getTag(tagName, options())));
      expect(read).toMatchObject({ name: tagName, sha: s().onBranchSha, annotated: true });
      const again = await settle(() =>
        s().sourceControl.createAnnotatedTag(
          { name: tagName, sha: s().onBranchSha, message: "again" },
          options(),
        ),
      );
      expectErrorKind(again, "conflict");
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().sourceControl.getCommit(s().onBranchSha, { signal }),
      () => s().sourceControl.getTag(s().existingTag.name, { signal }),
      () =>
        s().sourceControl.listChanges(
          { fromTag: s().range.fromTag, toSha: s().range.toSha },
          { signal },
        ),
    ]);
  });
