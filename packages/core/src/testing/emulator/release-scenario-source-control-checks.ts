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

/** How an adapter names the scenario's people and links its changes. */
export interface ReleaseScenarioIdentities<Under> {
  /** The name the adapter reports for a person of the scenario (`alice`, or `alice@example.com`). */
  person: (name: string) => string;
  /** The web address of change `number` on the emulator behind `under`. */
  url: (under: Under, number: number) => string;
}

/**
 * Registers the test every CI adapter's source control passes on the changes the release
 * scenario lands after `v1.0.0`: #2 `feat(api)` by alice (approved by bob and carol), #3
 * `fix(cart)!` by carol (approved by alice) and #4 `docs` by dave (approved by no one), each
 * complete, oldest first, each landed by a commit of its own. Call inside a `describe`.
 */
export function itListsReleaseScenarioChanges<Under extends SeededSourceControl>(
  setup: () => Promise<Under>,
  identities: ReleaseScenarioIdentities<Under>,
): void {
  const { person } = identities;

  it("returns complete records for every change landed after the tag, oldest first", async () => {
    const under = await setup();
    const { s, sourceControl } = under;
    const changes = (
      await sourceControl.listChanges(
        { fromTag: "v1.0.0", toSha: s.toSha },
        { signal: new AbortController().signal },
      )
    )._unsafeUnwrap();
    expect(changes.map((c) => c.number)).toEqual([2, 3, 4]);
    expect(changes).toMatchObject([
      {
        title: "feat(api): add bulk export endpoint",
        author: person("alice"),
        reviewers: [person("bob"), person("carol")],
        labels: ["enhancement"],
        files: ["src/api/export.ts", "src/db/query.ts"],
        url: identities.url(under, 2),
      },
      {
        title: "fix(cart)!: change total rounding",
        author: person("carol"),
        reviewers: [person("alice")],
        labels: ["bug", "breaking"],
        files: ["src/cart/total.ts"],
      },
      { title: "docs: readme", author: person("dave"), reviewers: [], files: ["README.md"] },
    ]);
    for (const change of changes) expect(change.mergeSha).toMatch(/^[0-9a-f]{40}$/);
    expect(new Set(changes.map((c) => c.mergeSha)).size).toBe(3);
  });
}
