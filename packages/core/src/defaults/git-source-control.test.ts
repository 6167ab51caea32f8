import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FastImportStream, type TestIdent, TestRepo } from "../testing/test-git-repo.js";
import { createGitSourceControl } from "./git-source-control.js";

const live = () => ({ signal: new AbortController().signal });
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
const who = (name: string, email: string, time: number): TestIdent => ({ name, email, time });
const github = (time: number) => who("GitHub", "noreply@github.com", time);

/**
 * The scenario repository:
 *   main: init ─ "Initial import (#10)" ─[v1.0.0]─ merge #1 (GitHub) ─ squash #2 ─ direct push ─ merge !3 (GitLab)
 *   topic: a commit never merged
 */
function buildScenario(repo: TestRepo) {
  const s = new FastImportStream();
  const init = s.commit({
    ref: "refs/heads/main",
    author: who("Root", "root@example.com", T0),
    message: "init\n",
    files: { "README.md": "hello\n" },
  });
  const imported = s.commit({
    ref: "refs/heads/main",
    author: who("Zed", "zed@example.com", T0 + 60),
    message: "Initial import (#10)\n",
    parents: [init],
    files: { "src/index.ts": "export {};\n" },
  });
  s.annotatedTag("v1.0.0", imported, who("Rel", "rel@example.com", T0 + 70), "Release v1.0.0\n");
  const featA = s.commit({
    ref: "refs/heads/feat-a",
    author: who("Alice Smith", "alice@example.com", T0 + 100),
    message: "add a\n",
    parents: [imported],
    files: { "src/a.ts": "export const a = 1;\n" },
  });
  const merge1 = s.commit({
    ref: "refs/heads/main",
    author: who("Merger Person", "merger@example.com", T0 + 200),
    committer: github(T0 + 200),
    message:
      "Merge pull request #1 from acme/feat-a\n\nfeat(api): add a\n\nReviewed-by: Bob Jones <bob@example.com>\nApproved-by: @carol\nLabels: enhancement, api\n",
    parents: [imported, featA],
    files: { "src/a.ts": "export const a = 1;\n" },
  });
  const squash2 = s.commit({
    ref: "refs/heads/main",
    author: who("Erin", "123+erin-gh@users.noreply.github.com", T0 + 300),
    committer: github(T0 + 300),
    message:
      "fix(cart): round totals (#2)\n\n* round\n* test\n\nReviewed-by: dave@example.com\nReviewed-by: Bob Jones <bob@example.com>\n",
    parents: [merge1],
    files: { "src/cart.ts": "x\n", "README.md": null },
  });
  s.ref("refs/tags/v1.1.0-light", squash2);
  const direct = s.commit({
    ref: "refs/heads/main",
    author: who("Someone", "someone@example.com", T0 + 400),
    message: "chore: direct push without a PR\n",
    parents: [squash2],
    files: { "package.json": "{}\n" },
  });
  const docs = s.commit({
    ref: "refs/heads/docs",
    author: who("Frank Ocean", "frank@example.com", T0 + 450),
    message: "write docs\n",
    parents: [direct],
    files: { "docs/guide.md": "# Guide\n" },
  });
  const merge3 = s.commit({
    ref: "refs/heads/main",
    author: who("Maintainer", "maint@example.com", T0 + 500),
    message: "Merge branch 'docs' into 'main'\n\nUpdate the docs\n\nSee merge request acme/shop!3",
    parents: [direct, docs],
    files: { "docs/guide.md": "# Guide\n" },
  });
  const offBranch = s.commit({
    ref: "refs/heads/topic",
    author: who("Off", "off@example.com", T0 + 600),
    message: "not merged (#99)\n",
    parents: [merge3],
    files: { "off.txt": "x\n" },
  });
  const marks = repo.import(s);
  const sha = (mark: string) => marks.get(mark)!;
  return {
    init: sha(init),
    imported: sha(imported),
    featA: sha(featA),
    merge1: sha(merge1),
    squash2: sha(squash2),
    direct: sha(direct),
    merge3: sha(merge3),
    offBranch: sha(offBranch),
  };
}

describe("createGitSourceControl", () => {
  let repo: TestRepo;
  let shas: ReturnType<typeof buildScenario>;
  const remoteUrl = "https://github.com/acme/shop";
  const sc = () =>
    createGitSourceControl({
      cwd: repo.dir,
      remoteUrl,
      tagger: { name: "Shipgate", email: "bot@example.com" },
    });

  beforeAll(() => {
    repo = TestRepo.create();
    shas = buildScenario(repo);
  });
  afterAll(() => repo.remove());

  describe("getCommit", () => {
    it("finds a commit on the release branch", async () => {
      const found = await sc().getCommit(shas.squash2, live());
      expect(found._unsafeUnwrap()).toEqual({
        sha: shas.squash2,
        exists: true,
        releaseBranch: "main",
        onReleaseBranch: true,
      });
    });

    it("says a branch-only commit is not on the release branch", async () => {
      const found = (await sc().getCommit(shas.offBranch, live()))._unsafeUnwrap();
      expect(found.exists).toBe(true);
      expect(found.onReleaseBranch).toBe(false);
    });

    it("counts a merged branch commit (second parent) as on the branch", async () => {
      expect((await sc().getCommit(shas.featA, live()))._unsafeUnwrap().onReleaseBranch).toBe(true);
    });

    it("reports a missing sha as a value, and normalises upper case", async () => {
      const missing = "ABCDEF0123456789abcdef0123456789abcdef01";
      expect((await sc().getCommit(missing, live()))._unsafeUnwrap()).toEqual({
        sha: missing.toLowerCase(),
        exists: false,
        releaseBranch: "main",
        onReleaseBranch: false,
      });
    });

    it("rejects a malformed sha before running git", async () => {
      for (const bad of ["abc", "HEAD", `${"a".repeat(39)}g`, "--all"]) {
        const error = (await sc().getCommit(bad, live()))._unsafeUnwrapErr();
        expect(error.kind).toBe("invalid_input");
        expect(error.field).toBe("sha");
      }
    });

    it("uses the configured release branch, and says when it does not exist", async () => {
      const onTopic = createGitSourceControl({ cwd: repo.dir, releaseBranch: "topic" });
      expect(
        (await onTopic.getCommit(shas.offBranch, live()))._unsafeUnwrap().onReleaseBranch,
      ).toBe(true);
      const missing = createGitSourceControl({ cwd: repo.dir, releaseBranch: "nope" });
      const error = (await missing.getCommit(shas.merge1, live()))._unsafeUnwrapErr();
      expect(error.kind).toBe("not_found");
      expect(error.field).toBe("releaseBranch");
      expect(error.vendorMessage).toContain("nope");
    });
  });

  describe("getTag", () => {
    it("reads an annotated tag, peeled to its commit, with its message", async () => {
      const tag = (await sc().getTag("v1.0.0", live()))._unsafeUnwrap();
      expect(tag).toEqual({
        name: "v1.0.0",
        sha: shas.imported,
        annotated: true,
        message: "Release v1.0.0",
      });
    });

    it("reads a lightweight tag as not annotated", async () => {
      const tag = (await sc().getTag("v1.1.0-light", live()))._unsafeUnwrap();
      expect(tag).toEqual({ name: "v1.1.0-light", sha: shas.squash2, annotated: false });
    });

    it("returns null for a missing tag, even when a longer tag shares its prefix", async () => {
      expect((await sc().getTag("v1", live()))._unsafeUnwrap()).toBeNull();
      expect((await sc().getTag("v9.9.9", live()))._unsafeUnwrap()).toBeNull();
    });

    it("rejects names git would not accept", async () => {
      for (const bad of ["a..b", "has space", "-x", "", "x.lock", "a*"]) {
        const error = (await sc().getTag(bad, live()))._unsafeUnwrapErr();
        expect(error.kind, bad).toBe("invalid_input");
        expect(error.field).toBe("name");
      }
    });
  });

  describe("createAnnotatedTag", () => {
    it("creates an annotated tag that keeps lines starting with #, then refuses a duplicate", async () => {
      const message = "Release v1.2.0\n\n#1 feat(api): add a\n#2 fix";
      const created = (
        await sc().createAnnotatedTag({ name: "v1.2.0", sha: shas.merge3, message }, live())
      )._unsafeUnwrap();
      expect(created).toEqual({ name: "v1.2.0", sha: shas.merge3, annotated: true, message });
      expect(repo.git(["cat-file", "-t", "refs/tags/v1.2.0"])).toBe("tag");
      expect(
        repo.git(["for-each-ref", "--format=%(taggername) %(taggeremail)", "refs/tags/v1.2.0"]),
      ).toBe("Shipgate <bot@example.com>");
      const again = (
        await sc().createAnnotatedTag({ name: "v1.2.0", sha: shas.merge1, message: "x" }, live())
      )._unsafeUnwrapErr();
      expect(again.kind).toBe("conflict");
      expect(again.vendorMessage).toContain("already exists");
      expect(repo.git(["rev-parse", "v1.2.0^{commit}"])).toBe(shas.merge3);
    });

    it("says not_found for a sha that is not in the repository", async () => {
      const error = (
        await sc().createAnnotatedTag({ name: "v9.0.0", sha: "0".repeat(40), message: "x" }, live())
      )._unsafeUnwrapErr();
      expect(error.kind).toBe("not_found");
      expect(repo.git(["tag", "-l", "v9.0.0"])).toBe("");
    });

    it("validates the name and the sha", async () => {
      expect(
        (
          await sc().createAnnotatedTag(
            { name: "bad name", sha: shas.merge1, message: "x" },
            live(),
          )
        )._unsafeUnwrapErr().field,
      ).toBe("name");
      expect(
        (
          await sc().createAnnotatedTag({ name: "v3", sha: "HEAD", message: "x" }, live())
        )._unsafeUnwrapErr().field,
      ).toBe("sha");
    });
  });

  describe("listChanges", () => {
    it("lists PRs after a tag, oldest first, with authors, reviewers, labels and files", async () => {
      const changes = (
        await sc().listChanges({ fromTag: "v1.0.0", toSha: shas.merge3 }, live())
      )._unsafeUnwrap();
      expect(changes).toEqual([
        {
          number: 1,
          title: "feat(api): add a",
          url: "https://github.com/acme/shop/pull/1",
          author: "alice", // the merged branch's author, not the person who pressed merge
          reviewers: ["bob", "carol"],
          labels: ["enhancement", "api"],
          mergedAt: "2026-01-01T00:03:20.000Z",
          mergeSha: shas.merge1,
          files: ["src/a.ts"],
        },
        {
          number: 2,
          title: "fix(cart): round totals",
          url: "https://github.com/acme/shop/pull/2",
          author: "erin-gh",
          reviewers: ["dave", "bob"],
          labels: [],
          mergedAt: "2026-01-01T00:05:00.000Z",
          mergeSha: shas.squash2,
          files: ["README.md", "src/cart.ts"],
        },
        {
          number: 3,
          title: "Update the docs",
          url: "https://github.com/acme/shop/-/merge_requests/3",
          author: "frank",
          reviewers: [],
          labels: [],
          mergedAt: "2026-01-01T00:08:20.000Z",
          mergeSha: shas.merge3,
          files: ["docs/guide.md"],
        },
      ]);
    });

    it("lists the whole history when fromTag is null, and stops at toSha", async () => {
      const all = (
        await sc().listChanges({ fromTag: null, toSha: shas.merge3 }, live())
      )._unsafeUnwrap();
      expect(all.map((c) => c.number)).toEqual([10, 1, 2, 3]);
      const upTo = (
        await sc().listChanges({ fromTag: null, toSha: shas.squash2 }, live())
      )._unsafeUnwrap();
      expect(upTo.map((c) => c.number)).toEqual([10, 1, 2]);
      const empty = (
        await sc().listChanges({ fromTag: "v1.0.0", toSha: shas.imported }, live())
      )._unsafeUnwrap();
      expect(empty).toEqual([]);
    });

    it("gives null urls without a remote URL", async () => {
      const plain = createGitSourceControl({ cwd: repo.dir });
      const changes = (
        await plain.listChanges({ fromTag: "v1.0.0", toSha: shas.merge3 }, live())
      )._unsafeUnwrap();
      expect(changes.map((c) => c.url)).toEqual([null, null, null]);
    });

    it("fails with git's own message for an unknown tag or sha", async () => {
      const unknownTag = (
        await sc().listChanges({ fromTag: "v7.7.7", toSha: shas.merge3 }, live())
      )._unsafeUnwrapErr();
      expect(unknownTag.kind).toBe("not_found");
      expect(unknownTag.vendorMessage).toMatch(/v7\.7\.7/);
      const unknownSha = (
        await sc().listChanges({ fromTag: null, toSha: "1".repeat(40) }, live())
      )._unsafeUnwrapErr();
      expect(unknownSha.kind).toBe("not_found");
      expect(unknownSha.vendorMessage).toMatch(/1111/);
    });
  });

  describe("failures", () => {
    it("says so when cwd is not a git repository", async () => {
      const dir = mkdtempSync(join(tmpdir(), "shipgate-nogit-"));
      try {
        const error = (
          await createGitSourceControl({ cwd: dir }).getCommit(shas.merge1, live())
        )._unsafeUnwrapErr();
        expect(error.kind).toBe("precondition_failed");
        expect(error.vendorMessage).toMatch(/not a git repository/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("resolves to aborted for an already-aborted signal, without running git", async () => {
      const controller = new AbortController();
      controller.abort();
      const broken = createGitSourceControl({ cwd: repo.dir, gitBinary: "/nonexistent/git" });
      expect(
        (await broken.getCommit(shas.merge1, { signal: controller.signal }))._unsafeUnwrapErr()
          .kind,
      ).toBe("aborted");
      expect(
        (await broken.getTag("v1.0.0", { signal: controller.signal }))._unsafeUnwrapErr().kind,
      ).toBe("aborted");
      expect(
        (
          await broken.createAnnotatedTag(
            { name: "x", sha: shas.merge1, message: "m" },
            { signal: controller.signal },
          )
        )._unsafeUnwrapErr().kind,
      ).toBe("aborted");
      expect(
        (
          await broken.listChanges(
            { fromTag: null, toSha: shas.merge1 },
            { signal: controller.signal },
          )
        )._unsafeUnwrapErr().kind,
      ).toBe("aborted");
    });

    it("kills a running git when the signal fires, and times out a hung one", async () => {
      const dir = mkdtempSync(join(tmpdir(), "shipgate-slowgit-"));
      try {
        const slowGit = join(dir, "git");
        writeFileSync(slowGit, "#!/bin/sh\nsleep 5\n");
        chmodSync(slowGit, 0o755);
        const controller = new AbortController();
        const started = Date.now();
        const pending = createGitSourceControl({ cwd: repo.dir, gitBinary: slowGit }).getCommit(
          shas.merge1,
          {
            signal: controller.signal,
          },
        );
        setTimeout(() => controller.abort(), 30);
        expect((await pending)._unsafeUnwrapErr().kind).toBe("aborted");
        const timedOut = (
          await createGitSourceControl({
            cwd: repo.dir,
            gitBinary: slowGit,
            timeoutMs: 50,
          }).getCommit(shas.merge1, live())
        )._unsafeUnwrapErr();
        expect(timedOut.kind).toBe("timeout");
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("says unavailable when the git binary does not exist", async () => {
      const error = (
        await createGitSourceControl({ cwd: repo.dir, gitBinary: "/nonexistent/git" }).getCommit(
          shas.merge1,
          live(),
        )
      )._unsafeUnwrapErr();
      expect(error.kind).toBe("unavailable");
    });
  });
});

describe("createGitSourceControl on a large history", () => {
  let repo: TestRepo;
  let head: string;
  const merges = 500;
  const squashes = 500;

  beforeAll(() => {
    repo = TestRepo.create();
    const s = new FastImportStream();
    let tip = s.commit({
      ref: "refs/heads/main",
      author: who("Root", "root@example.com", T0),
      message: "init\n",
      files: { "README.md": "x\n" },
    });
    let n = 0;
    for (let i = 0; i < merges + squashes; i += 1) {
      n += 1;
      const time = T0 + 10 * (i + 1);
      if (i % 2 === 0) {
        const branchCommit = s.commit({
          ref: `refs/heads/b${n}`,
          author: who(`dev${n}`, `dev${n}@example.com`, time - 5),
          message: `work ${n}\n`,
          parents: [tip],
          files: { [`src/m${n}.ts`]: `${n}\n` },
        });
        tip = s.commit({
          ref: "refs/heads/main",
          author: who("merger", "merger@example.com", time),
          message: `Merge pull request #${n} from acme/b${n}\n\nfeat: change ${n}\n`,
          parents: [tip, branchCommit],
          files: { [`src/m${n}.ts`]: `${n}\n` },
        });
      } else {
        tip = s.commit({
          ref: "refs/heads/main",
          author: who(`dev${n}`, `dev${n}@example.com`, time),
          message: `fix: change ${n} (#${n})\n`,
          parents: [tip],
          files: { [`src/s${n}.ts`]: `${n}\n` },
        });
      }
    }
    head = repo.import(s).get(tip)!;
  });
  afterAll(() => repo.remove());

  it("returns all 1,000 PRs from one log call in well under 2 s", async () => {
    const sc = createGitSourceControl({ cwd: repo.dir });
    const started = performance.now();
    const changes = (await sc.listChanges({ fromTag: null, toSha: head }, live()))._unsafeUnwrap();
    const elapsedMs = performance.now() - started;
    expect(changes).toHaveLength(merges + squashes);
    expect(changes.map((c) => c.number)).toEqual(
      Array.from({ length: merges + squashes }, (_, i) => i + 1),
    );
    expect(changes[0]).toMatchObject({
      number: 1,
      author: "dev1",
      files: ["src/m1.ts"],
      title: "feat: change 1",
    });
    expect(changes[1]).toMatchObject({
      number: 2,
      author: "dev2",
      files: ["src/s2.ts"],
      title: "fix: change 2",
    });
    expect(changes[998]).toMatchObject({ number: 999, author: "dev999" });
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("stops promptly when aborted mid-run", async () => {
    const controller = new AbortController();
    const pending = createGitSourceControl({ cwd: repo.dir }).listChanges(
      { fromTag: null, toSha: head },
      { signal: controller.signal },
    );
    controller.abort();
    expect((await pending)._unsafeUnwrapErr().kind).toBe("aborted");
  });
});
