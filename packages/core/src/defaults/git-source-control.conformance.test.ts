import { describeSourceControlConformance } from "../testing/index.js";
import { FastImportStream, TestRepo } from "../testing/test-git-repo.js";
import { createGitSourceControl } from "./git-source-control.js";

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

describeSourceControlConformance("git cli", () => {
  const repo = TestRepo.create();
  const s = new FastImportStream();
  const me = (time: number) => ({ name: "Dev One", email: "dev1@example.com", time });
  /** A commit by Dev One on `branch`, `seconds` after T0. */
  const commit = (
    branch: string,
    seconds: number,
    message: string,
    parents: string[],
    files: Record<string, string>,
  ) => s.commit({ ref: `refs/heads/${branch}`, author: me(T0 + seconds), message, parents, files });
  const init = commit("main", 0, "init\n", [], { a: "1\n" });
  const first = commit("main", 10, "feat: one (#1)\n", [init], { b: "1\n" });
  s.annotatedTag("v1.0.0", first, me(T0 + 11), "v1.0.0\n");
  const branch = commit("two", 15, "two\n", [first], { c: "1\n" });
  const second = commit(
    "main",
    20,
    "Merge pull request #2 from acme/two\n\nfeat: two\n",
    [first, branch],
    { c: "1\n" },
  );
  const third = commit("main", 30, "fix: three (#3)\n", [second], { a: "2\n" });
  const off = commit("topic", 40, "off\n", [third], { d: "1\n" });
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
