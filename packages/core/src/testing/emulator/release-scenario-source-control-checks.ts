import { expect, it } from "vitest";
import type { SourceControl } from "../../contracts/source-control.js";
import type { CiReleaseScenarioFacts } from "../conformance/ci-stack-conformance.js";

/** A source control over an emulator freshly seeded with the CI release scenario. */
export interface SeededSourceControl {
  sourceControl: SourceControl;
  /** The facts of the seeded scenario (see `releaseScenarioFacts`). */
  s: CiReleaseScenarioFacts;
}

/**
 * Registers the tests every CI adapter's source control passes against the release scenario
 * its emulator seeds (see `releaseScenarioFacts`): change 1 lands before the previous tag
 * `v1.0.0` (annotated, with the message `Release v1.0.0`) and its lightweight twin
 * `v1.0.0-light`, changes 2 to 4 after it. `setup` seeds a fresh emulator for each test and
 * creates the source control with the release branch given (the scenario's own by default).
 * Call inside a `describe`.
 *
 * @example
 * ```ts
 * describe("GitLab commits and tags", () => {
 *   itChecksReleaseScenarioSourceControl(async (options) => {
 *     const { s, provider } = await setup(options);
 *     return { s, sourceControl: provider.sourceControl };
 *   });
 * });
 * ```
 */
export function itChecksReleaseScenarioSourceControl(
  setup: (options?: { releaseBranch?: string }) => Promise<SeededSourceControl>,
): void {
  const live = () => ({ signal: new AbortController().signal });

  it("answers on-branch, off-branch and missing commits", async () => {
    const { s, sourceControl } = await setup();
    expect((await sourceControl.getCommit(s.redSha, live()))._unsafeUnwrap()).toEqual({
      sha: s.redSha,
      exists: true,
      releaseBranch: "main",
      onReleaseBranch: true,
    });
    expect(
      (await sourceControl.getCommit(s.offBranchSha, live()))._unsafeUnwrap().onReleaseBranch,
    ).toBe(false);
    expect((await sourceControl.getCommit(s.missingSha, live()))._unsafeUnwrap().exists).toBe(
      false,
    );
  });

  it("names the release branch when it does not exist", async () => {
    const { s, sourceControl } = await setup({ releaseBranch: "release/9" });
    const error = (await sourceControl.getCommit(s.toSha, live()))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "not_found", field: "with.release_branch" });
    expect(error.message).toContain("release/9");
  });

  it("tells annotated from lightweight tags, and does not confuse a tag with a longer one", async () => {
    const { s, sourceControl } = await setup();
    expect((await sourceControl.getTag("v1.0.0", live()))._unsafeUnwrap()).toEqual({
      name: "v1.0.0",
      sha: s.previousTag.sha,
      annotated: true,
      message: "Release v1.0.0",
    });
    expect((await sourceControl.getTag("v1.0.0-light", live()))._unsafeUnwrap()).toEqual({
      name: "v1.0.0-light",
      sha: s.previousTag.sha,
      annotated: false,
    });
    expect((await sourceControl.getTag("v1.0", live()))._unsafeUnwrap()).toBeNull();
  });

  it("creates an annotated tag with a slash in its name, reads it back, and reports an existing one as a conflict (409)", async () => {
    const { s, sourceControl } = await setup();
    const created = await sourceControl.createAnnotatedTag(
      { name: "release/v1.1.0", sha: s.toSha, message: "Release v1.1.0" },
      live(),
    );
    expect(created._unsafeUnwrap()).toEqual({
      name: "release/v1.1.0",
      sha: s.toSha,
      annotated: true,
      message: "Release v1.1.0",
      pushedTo: "origin",
    });
    expect((await sourceControl.getTag("release/v1.1.0", live()))._unsafeUnwrap()).toMatchObject({
      sha: s.toSha,
      annotated: true,
    });
    const again = await sourceControl.createAnnotatedTag(
      { name: "release/v1.1.0", sha: s.toSha, message: "x" },
      live(),
    );
    expect(again._unsafeUnwrapErr()).toMatchObject({ kind: "conflict", status: 409 });
    expect(again._unsafeUnwrapErr().vendorMessage).toContain("already exists");
  });

  it("lists the whole history when there is no previous tag, and names a missing one", async () => {
    const { s, sourceControl } = await setup();
    const all = (
      await sourceControl.listChanges({ fromTag: null, toSha: s.toSha }, live())
    )._unsafeUnwrap();
    expect(all.map((c) => c.number)).toEqual([1, 2, 3, 4]);
    const error = (
      await sourceControl.listChanges({ fromTag: "v0.0.1", toSha: s.toSha }, live())
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "not_found", field: "fromTag" });
    expect(error.message).toContain("v0.0.1");
  });
}
