import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Test support (not exported from the package): builds real git repositories quickly with
 * `git fast-import`, so tests can have hundreds of merges with fixed dates and authors.
 */

/** A git identity with a fixed time (unix seconds). */
export interface TestIdent {
  name: string;
  email: string;
  time: number;
}

/** `name` (mailed at example.com) as an author `hours` after 2026-01-01T00:00Z. */
export function testAuthor(name: string, hours: number): TestIdent {
  return { name, email: `${name}@example.com`, time: 1767225600 + hours * 3600 };
}

/** Writes the first commit of `main` in `stream`, root's README of the shop; returns its mark. */
export function shopRootCommit(stream: FastImportStream): string {
  return stream.commit({
    ref: "refs/heads/main",
    author: testAuthor("root", 0),
    message: "initial\n",
    files: { "README.md": "shop\n" },
  });
}

/** One commit to write. `parents[0]` is the first parent; more parents make a merge. */
export interface TestCommit {
  ref: string;
  author: TestIdent;
  committer?: TestIdent;
  message: string;
  parents?: string[];
  /** Path → content, or null to delete. Applied on top of the first parent's tree. */
  files?: Record<string, string | null>;
}

/** Writes a fast-import stream; marks stand in for shas until {@link TestRepo.import} runs. */
export class FastImportStream {
  private chunks: string[] = [];
  private next = 1;

  /** Adds a commit and returns its mark (`:n`). */
  commit(commit: TestCommit): string {
    const mark = `:${this.next++}`;
    const committer = commit.committer ?? commit.author;
    const lines = [
      `commit ${commit.ref}`,
      `mark ${mark}`,
      `author ${commit.author.name} <${commit.author.email}> ${commit.author.time} +0000`,
      `committer ${committer.name} <${committer.email}> ${committer.time} +0000`,
      data(commit.message),
    ];
    const [first, ...others] = commit.parents ?? [];
    if (first) lines.push(`from ${first}`);
    for (const other of others) lines.push(`merge ${other}`);
    for (const [path, content] of Object.entries(commit.files ?? {})) {
      if (content === null) lines.push(`D ${path}`);
      else lines.push(`M 100644 inline ${path}`, data(content));
    }
    this.chunks.push(`${lines.join("\n")}\n\n`);
    return mark;
  }

  /** An annotated tag on a mark. */
  annotatedTag(name: string, target: string, tagger: TestIdent, message: string): void {
    this.chunks.push(
      `tag ${name}\nfrom ${target}\ntagger ${tagger.name} <${tagger.email}> ${tagger.time} +0000\n${data(message)}\n`,
    );
  }

  /** A lightweight tag (or any ref) on a mark. */
  ref(ref: string, target: string): void {
    this.chunks.push(`reset ${ref}\nfrom ${target}\n\n`);
  }

  toString(): string {
    return this.chunks.join("");
  }
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text, "utf8")}\n${text}`;
}

/** A throwaway repository in the OS temp dir. */
export class TestRepo {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** `git init` a fresh repository whose default branch is `main`. */
  static create(): TestRepo {
    const dir = mkdtempSync(join(tmpdir(), "shipgate-git-"));
    const repo = new TestRepo(dir);
    repo.git(["init", "-q", "--initial-branch=main", "."]);
    return repo;
  }

  /** Runs git in the repository with a fixed identity and dates; returns trimmed stdout. */
  git(args: string[], input?: string): string {
    return execFileSync(
      "git",
      ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args],
      {
        cwd: this.dir,
        input,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
          GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
          GIT_CONFIG_NOSYSTEM: "1",
          GIT_CONFIG_GLOBAL: "/dev/null",
          LC_ALL: "C",
        },
      },
    ).trim();
  }

  /** Imports a stream and returns mark → sha. */
  import(stream: FastImportStream): Map<string, string> {
    const marksFile = join(this.dir, ".git", "shipgate-test-marks");
    this.git(["fast-import", "--quiet", `--export-marks=${marksFile}`], stream.toString());
    const marks = new Map<string, string>();
    for (const line of readFileSync(marksFile, "utf8").split("\n")) {
      const [mark, sha] = line.split(" ");
      if (mark && sha) marks.set(mark, sha);
    }
    // fast-import does not touch the work tree; make it match HEAD so porcelain commands agree.
    this.git(["reset", "-q", "--hard"]);
    return marks;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
