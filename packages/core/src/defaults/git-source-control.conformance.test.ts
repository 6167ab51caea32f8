import { describeSourceControlConformance } from "../testing/index.js";
import { FastImportStream, TestRepo } from "../testing/test-git-repo.js";
import { createGitSourceControl } from "./git-source-control.js";

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

describeSourceControlConformance("git cli", () => {
  const repo = TestRepo.create();
  const s = new FastImportStream();
  const me = (time: number) => ({ name: "Dev One", email: "dev1@example.com", time });
  const init = s.commit({
    ref: "refs/heads/main",
    author: me(T0),
    message: "init\n",
    files: { a: "1\n" },
  });
  const first = s.commit({
    ref: "refs/heads/main",
    author: me(T0 + 10),
    message: "feat: one (#1)\n",
    parents: [init],
    files: { b: "1\n" },
  });
  s.annotatedTag("v1.0.0", first, me(T0 + 11), "v1.0.0\n");
  const branch = s.commit({
    ref: "refs/heads/two",
    author: me(T0 + 15),
    message: "two\n",
    parents: [first],
    files: { c: "1\n" },
  });
  const second = s.commit({
    ref: "refs/heads/main",
    author: me(T0 + 20),
    message: "Merge pull request #2 from acme/two\n\nfeat: two\n",
    parents: [first, branch],
    files: { c: "1\n" },
  });
  const third = s.commit({
    ref: "refs/heads/main",
    author: me(T0 + 30),
    message: "fix: three (#3)\n",
    parents: [second],
    files: { a: "2\n" },
  });
  const off = s.commit({
    ref: "refs/heads/topic",
    author: me(T0 + 40),
    message: "off\n",
    parents: [third],
    files: { d: "1\n" },
  });
  const marks = repo.import(s);
  return {
    sourceControl: createGitSourceControl({
      cwd: repo.dir,
      remoteUrl: "https://github.com/acme/shop",
      tagger: { name: "Shipgate", email: "bot@example.com" },
    }),
    releaseBranch: "main",
    onBranchSha: marks.get(third)!,
    offBranchSha: marks.get(off)!,
    missingSha: "0123456789abcdef0123456789abcdef01234567",
    existingTag: { name: "v1.0.0", sha: marks.get(first)! },
    missingTag: "v9.9.9",
    range: { fromTag: "v1.0.0", toSha: marks.get(third)!, expectedNumbers: [2, 3] },
    cleanup: () => repo.remove(),
  };
});
