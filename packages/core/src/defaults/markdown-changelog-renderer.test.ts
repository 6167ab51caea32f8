import { describe, expect, it } from "vitest";
import type { ChangeRecord } from "../contracts/source-control.js";
import { createMarkdownChangelogRenderer } from "./markdown-changelog-renderer.js";

const live = () => ({ signal: new AbortController().signal });
let n = 100;
const change = (title: string, extra: Partial<ChangeRecord> = {}): ChangeRecord => {
  n += 1;
  return {
    number: n,
    title,
    url: `https://github.com/acme/shop/pull/${n}`,
    author: "alice",
    reviewers: [],
    labels: [],
    mergedAt: "2026-01-01T00:00:00Z",
    mergeSha: "a".repeat(40),
    files: [],
    ...extra,
  };
};

describe("createMarkdownChangelogRenderer", () => {
  it("renders breaking first, then groups in CHANGE_TYPES order, omitting empty ones", async () => {
    n = 100;
    const changes = [
      change("docs: explain export"),
      change("fix(cart)!: change total rounding", {
        author: "carol",
        reviewers: ["alice", "dave"],
      }),
      change("feat(api): add bulk export", { reviewers: ["bob"] }),
      change("Tidy logging", { url: null, author: "frank" }),
    ];
    const { changelog, markdown } = (
      await createMarkdownChangelogRenderer().render(
        { version: "v1.4.0", previousVersion: "v1.3.2", changes },
        live(),
      )
    )._unsafeUnwrap();
    expect(changelog.total).toBe(4);
    expect(changelog.groups.chore).toEqual([]);
    expect(changelog.breaking.map((e) => e.change.number)).toEqual([102]);
    expect(markdown).toBe(
      [
        "## v1.4.0",
        "",
        "Changes since v1.3.2: 4 pull requests.",
        "",
        "### ⚠ Breaking changes",
        "",
        "- **cart:** change total rounding ([#102](https://github.com/acme/shop/pull/102)) by @carol, reviewed by @alice, @dave",
        "",
        "### Features",
        "",
        "- **api:** add bulk export ([#103](https://github.com/acme/shop/pull/103)) by @alice, reviewed by @bob",
        "",
        "### Bug fixes",
        "",
        "- **cart:** change total rounding ([#102](https://github.com/acme/shop/pull/102)) by @carol, reviewed by @alice, @dave",
        "",
        "### Documentation",
        "",
        "- explain export ([#101](https://github.com/acme/shop/pull/101)) by @alice",
        "",
        "### Other changes",
        "",
        "- Tidy logging (#104) by @frank",
        "",
      ].join("\n"),
    );
  });

  it("keeps merge order inside a group and says when it is a first release", async () => {
    const changes = [change("fix: one"), change("fix: two"), change("fix: three")];
    const { changelog, markdown } = (
      await createMarkdownChangelogRenderer().render(
        { version: "v0.1.0", previousVersion: null, changes },
        live(),
      )
    )._unsafeUnwrap();
    expect(changelog.groups.fix.map((e) => e.description)).toEqual(["one", "two", "three"]);
    expect(markdown).toContain("First release: 3 pull requests");
    expect(markdown).not.toContain("Breaking");
    expect(markdown).not.toContain("### Features");
  });

  it("renders an empty release and keeps multi-line titles on one line", async () => {
    const empty = (
      await createMarkdownChangelogRenderer().render(
        { version: "v2", previousVersion: "v1", changes: [] },
        live(),
      )
    )._unsafeUnwrap();
    expect(empty.markdown).toBe("## v2\n\nChanges since v1: 0 pull requests.\n\nNo changes.\n");
    const multi = (
      await createMarkdownChangelogRenderer().render(
        { version: "v2", previousVersion: "v1", changes: [change("feat: a\nsecond line")] },
        live(),
      )
    )._unsafeUnwrap();
    expect(multi.markdown).toContain("- a second line ([#");
  });

  it("resolves to aborted for an already-aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await createMarkdownChangelogRenderer().render(
      { version: "v2", previousVersion: "v1", changes: [] },
      { signal: controller.signal },
    );
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });
});
