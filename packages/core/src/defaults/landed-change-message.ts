/**
 * Reading pull / merge requests out of plain git history: the commit messages that GitHub,
 * GitLab and Bitbucket write when they land a change are the only trace a repository keeps
 * of them, so this is where a git-only {@link SourceControl} gets its change records.
 *
 * @module
 */

/** Which forge wrote the message, which decides the shape of the PR web URL. */
export type ForgeFlavour = "github" | "gitlab" | "bitbucket";

/** A pull request recognised in a commit message. */
export interface LandedChangeReference {
  number: number;
  /** The pull request's title as the forge recorded it. */
  title: string;
  /** `merge` for a merge commit written by the forge, `squash` for a squashed or rebased commit. */
  style: "merge" | "squash";
  flavour: ForgeFlavour;
}

/** Merge-commit subjects a forge writes, naming the pull request's number and branch. */
const MERGE_SUBJECTS: readonly { pattern: RegExp; flavour: ForgeFlavour }[] = [
  { pattern: /^Merge pull request #(?<number>\d+) from (?<branch>\S+)/, flavour: "github" },
  { pattern: /^Merged in (?<branch>\S+) \(pull request #(?<number>\d+)\)/, flavour: "bitbucket" },
];
const GITLAB_MERGE_SUBJECT = /^Merge branch '.*' into '.*'/;
const GITLAB_REFERENCE = /^See merge request (\S+)!(\d+)\s*$/m;
// GitHub's squash (and "rebase and merge" with a suffix) put the number at the end: `title (#123)`.
const SQUASH_SUFFIX = /^(.*?)\s*\(#(\d+)\)\s*$/;
const TRAILER = /^([A-Za-z][A-Za-z-]*):\s*(.*)$/;

/**
 * Recognises the pull request a first-parent commit landed, from its message, or returns
 * null for a commit that is not one (a direct push, a local merge).
 *
 * - GitHub merge: `Merge pull request #123 from owner/branch`, title on the body's first line.
 * - GitHub squash: `feat(api): add x (#123)`.
 * - GitLab: `See merge request group/project!45` in the body; for `Merge branch 'x' into 'main'`
 *   the title is the body's first line.
 * - Bitbucket: `Merged in branch (pull request #7)`, title on the body's first line.
 *
 * @example
 * ```ts
 * parseLandedChange("Merge pull request #7 from acme/fix\n\nFix the cart");
 * // → { number: 7, title: "Fix the cart", style: "merge", flavour: "github" }
 * ```
 */
export function parseLandedChange(message: string): LandedChangeReference | null {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  const subject = (lines[0] ?? "").trim();
  const body = lines.slice(1);

  for (const { pattern, flavour } of MERGE_SUBJECTS) {
    const merge = pattern.exec(subject)?.groups;
    if (merge)
      return {
        number: Number(merge.number),
        title: firstProseLine(body) ?? merge.branch!,
        style: "merge",
        flavour,
      };
  }
  const gitlab = GITLAB_REFERENCE.exec(body.join("\n"));
  if (gitlab) {
    const isMergeSubject = GITLAB_MERGE_SUBJECT.test(subject);
    return {
      number: Number(gitlab[2]),
      title: isMergeSubject ? (firstProseLine(body) ?? subject) : subject,
      style: isMergeSubject ? "merge" : "squash",
      flavour: "gitlab",
    };
  }
  const squash = SQUASH_SUFFIX.exec(subject);
  if (squash && squash[1]!.length > 0) {
    return { number: Number(squash[2]), title: squash[1]!, style: "squash", flavour: "github" };
  }
  return null;
}

/** The first body line that is prose: not blank, not a trailer, not GitLab's reference line. */
function firstProseLine(body: readonly string[]): string | null {
  for (const raw of body) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (GITLAB_REFERENCE.test(line)) continue;
    if (isKnownTrailer(line)) continue;
    return line;
  }
  return null;
}

const KNOWN_TRAILER_KEYS = new Set([
  "reviewed-by",
  "approved-by",
  "labels",
  "label",
  "signed-off-by",
  "co-authored-by",
  "closes",
  "fixes",
  "changelog",
]);

function isKnownTrailer(line: string): boolean {
  const match = TRAILER.exec(line);
  return match !== null && KNOWN_TRAILER_KEYS.has(match[1]!.toLowerCase());
}

/** The review and label trailers of a commit message. */
export interface ChangeTrailers {
  /** From `Reviewed-by:` and `Approved-by:`, as logins, distinct, in order. */
  reviewers: string[];
  /** From `Labels: a, b` (or `Label:`), distinct, in order. */
  labels: string[];
}

/**
 * Reads `Reviewed-by:` / `Approved-by:` and `Labels:` lines anywhere in a message. Git's own
 * trailer parser only reads the last paragraph, but GitLab templates put the
 * `See merge request` line after the approvals, so every line is read.
 */
export function parseChangeTrailers(message: string): ChangeTrailers {
  const reviewers: string[] = [];
  const labels: string[] = [];
  for (const raw of message.replace(/\r\n/g, "\n").split("\n")) {
    const match = TRAILER.exec(raw.trim());
    if (!match) continue;
    const key = match[1]!.toLowerCase();
    const value = match[2]!.trim();
    if (value.length === 0) continue;
    if (key === "reviewed-by" || key === "approved-by") {
      const login = toLogin(value);
      if (login.length > 0 && !reviewers.includes(login)) reviewers.push(login);
    } else if (key === "labels" || key === "label") {
      for (const label of value.split(",")) {
        const trimmed = label.trim();
        if (trimmed.length > 0 && !labels.includes(trimmed)) labels.push(trimmed);
      }
    }
  }
  return { reviewers, labels };
}

const GITHUB_NOREPLY = /^(?:\d+\+)?([^@\s]+)@users\.noreply\.github\.com$/i;

/**
 * Turns a git identity (`Name <email>`, a bare email, `@login` or a name) into a login-like
 * string, because plain git has names and emails where forges have logins:
 * a GitHub no-reply email gives the login; a single-word name is taken as it is; otherwise
 * the email's local part; otherwise the name.
 *
 * @example
 * ```ts
 * toLogin("Bob Jones <bob@example.com>"); // "bob"
 * toLogin("123+octocat@users.noreply.github.com"); // "octocat"
 * ```
 */
export function toLogin(identity: string): string {
  const text = identity.trim();
  const angled = /^(.*?)\s*<([^>]*)>\s*$/.exec(text);
  let name = angled ? angled[1]!.trim() : text;
  let email = angled ? angled[2]!.trim() : "";
  if (!angled && /^[^@\s]+@[^@\s]+$/.test(text)) {
    email = text;
    name = "";
  }
  name = name
    .replace(/^@/, "")
    .replace(/^"(.*)"$/, "$1")
    .trim();
  const noreply = GITHUB_NOREPLY.exec(email);
  if (noreply) return noreply[1]!;
  if (name.length > 0 && !/\s/.test(name)) return name;
  if (email.includes("@")) return email.slice(0, email.indexOf("@"));
  return name;
}
