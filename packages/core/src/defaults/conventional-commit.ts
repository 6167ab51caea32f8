import type { ChangelogEntry, ChangeType } from "../contracts/changelog-renderer.js";
import type { ChangeRecord } from "../contracts/source-control.js";

/** What {@link classifyChange} decides about one change. */
export type ChangeClassification = Pick<
  ChangelogEntry,
  "type" | "scope" | "breaking" | "description" | "classifiedBy"
>;

/**
 * Conventional-commit types onto changelog groups. Everything that does not change what
 * users get (perf, refactor, build, ci, test, style) is a chore. `revert` counts as a fix:
 * a revert undoes a change that turned out wrong, which is what a reader of the "Bug
 * fixes" section is looking for.
 */
const TITLE_TYPES: Readonly<Record<string, ChangeType>> = {
  feat: "feat",
  feature: "feat",
  fix: "fix",
  bugfix: "fix",
  hotfix: "fix",
  revert: "fix",
  docs: "docs",
  doc: "docs",
  chore: "chore",
  perf: "chore",
  refactor: "chore",
  build: "chore",
  ci: "chore",
  test: "chore",
  tests: "chore",
  style: "chore",
  deps: "chore",
};

/** Labels onto groups, after normalising (`Type: Bug`, `kind/bug` → `bug`). First match wins. */
const LABEL_TYPES: readonly [string, ChangeType][] = [
  ["feature", "feat"],
  ["feat", "feat"],
  ["enhancement", "feat"],
  ["bug", "fix"],
  ["bugfix", "fix"],
  ["fix", "fix"],
  ["documentation", "docs"],
  ["docs", "docs"],
  ["chore", "chore"],
  ["dependencies", "chore"],
  ["deps", "chore"],
  ["maintenance", "chore"],
];

// `type(scope)!: description`; the description may be empty (the title then stands as it is).
const CONVENTIONAL = /^([A-Za-z]+)(?:\(([^()\r\n]*)\))?(!)?:([\s\S]*)$/;
const BREAKING_IN_TITLE = /BREAKING[ -]CHANGE:/;
const BREAKING_LABELS = new Set([
  "breaking change",
  "breaking-change",
  "breaking",
  "semver-major",
  "major",
]);

/**
 * Classifies a change for the changelog, from its title if it is a conventional commit
 * (`feat(api)!: add x`), else from its labels (`bug`, `documentation`, …), else as
 * `other`. A `!`, a `BREAKING CHANGE:` in the title or a breaking-change label marks it
 * breaking. Pure and total: never throws, whatever the input.
 *
 * @example
 * ```ts
 * classifyChange({ ...change, title: "feat(api)!: drop v1 endpoints" });
 * // → { type: "feat", scope: "api", breaking: true, description: "drop v1 endpoints", classifiedBy: "title" }
 * ```
 */
export function classifyChange(change: ChangeRecord): ChangeClassification {
  const title = typeof change.title === "string" ? change.title.trim() : "";
  const labels = Array.isArray(change.labels)
    ? change.labels.filter((l) => typeof l === "string")
    : [];
  const labelBreaking = labels.some((label) => BREAKING_LABELS.has(normaliseLabel(label)));
  const titleBreaking = BREAKING_IN_TITLE.test(title);

  const match = CONVENTIONAL.exec(title);
  if (match) {
    const type = TITLE_TYPES[match[1]!.toLowerCase()];
    if (type) {
      const scope = match[2]?.trim() || null;
      const description = match[4]!.trim();
      return {
        type,
        scope,
        breaking: match[3] === "!" || titleBreaking || labelBreaking,
        description: description.length > 0 ? description : title,
        classifiedBy: "title",
      };
    }
  }

  const breaking = titleBreaking || labelBreaking;
  const normalised = labels.map(normaliseLabel);
  for (const [label, type] of LABEL_TYPES) {
    if (normalised.includes(label)) {
      return { type, scope: null, breaking, description: title, classifiedBy: "label" };
    }
  }
  return { type: "other", scope: null, breaking, description: title, classifiedBy: "fallback" };
}

/** `Type: Bug` → `bug`, `kind/feature` → `feature`, `Breaking Change` → `breaking change`. */
function normaliseLabel(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/^(type|kind|area|category)\s*[:/]\s*/, "")
    .replace(/^:[a-z_]+:\s*/, "");
}
