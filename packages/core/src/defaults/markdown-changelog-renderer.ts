import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { oneLine } from "../artifacts/format.js";
import type { CallOptions } from "../contracts/call-options.js";
import {
  CHANGE_TYPES,
  type Changelog,
  type ChangelogEntry,
  type ChangelogRenderer,
  type ChangelogRendererError,
  type ChangeType,
  type RenderedChangelog,
} from "../contracts/changelog-renderer.js";
import type { ChangeRecord } from "../contracts/source-control.js";
import { abortedError, toShipgateError } from "../errors/shipgate-error.js";
import { classifyChange } from "./conventional-commit.js";

/** Section headings, in {@link CHANGE_TYPES} order. */
export const CHANGE_TYPE_HEADINGS: Readonly<Record<ChangeType, string>> = {
  feat: "Features",
  fix: "Bug fixes",
  chore: "Chores",
  docs: "Documentation",
  other: "Other changes",
};

/**
 * Groups changes with {@link classifyChange} and renders them as markdown:
 *
 * ```md
 * ## v1.4.0
 *
 * Changes since v1.3.2: 2 pull requests.
 *
 * ### ⚠ Breaking changes
 *
 * - **cart:** change total rounding ([#102](https://…/pull/102)) by @carol, reviewed by @alice, @dave
 *
 * ### Bug fixes
 * …
 * ```
 *
 * Breaking changes are listed first and again in their own group; empty groups are left out.
 *
 * @example
 * ```ts
 * const rendered = await createMarkdownChangelogRenderer().render(
 *   { version: "v1.4.0", previousVersion: "v1.3.2", changes },
 *   { signal },
 * );
 * ```
 */
export function createMarkdownChangelogRenderer(): ChangelogRenderer {
  return {
    name: "markdown",
    render(
      input: { version: string; previousVersion: string | null; changes: ChangeRecord[] },
      { signal }: CallOptions,
    ): ResultAsync<RenderedChangelog, ChangelogRendererError> {
      if (signal.aborted) return errAsync(abortedError(signal));
      try {
        const changelog = buildChangelog(input);
        return okAsync({ changelog, markdown: renderChangelogMarkdown(changelog) });
      } catch (thrown) {
        return errAsync(toShipgateError(thrown, "Could not render the changelog"));
      }
    },
  };
}

/** Classifies and groups changes, keeping their order (oldest merge first) inside each group. */
export function buildChangelog(input: {
  version: string;
  previousVersion: string | null;
  changes: readonly ChangeRecord[];
}): Changelog {
  const groups = Object.fromEntries(CHANGE_TYPES.map((t) => [t, [] as ChangelogEntry[]])) as Record<
    ChangeType,
    ChangelogEntry[]
  >;
  const breaking: ChangelogEntry[] = [];
  for (const change of input.changes) {
    const entry: ChangelogEntry = { change, ...classifyChange(change) };
    groups[entry.type].push(entry);
    if (entry.breaking) breaking.push(entry);
  }
  return {
    version: input.version,
    previousVersion: input.previousVersion,
    groups,
    breaking,
    total: input.changes.length,
  };
}

/** The markdown of a {@link Changelog}. */
export function renderChangelogMarkdown(changelog: Changelog): string {
  const lines = [`## ${changelog.version}`, ""];
  const count = `${changelog.total} pull request${changelog.total === 1 ? "" : "s"}`;
  lines.push(
    changelog.previousVersion
      ? `Changes since ${changelog.previousVersion}: ${count}.`
      : `First release: ${count} from the start of history.`,
  );
  if (changelog.total === 0) {
    lines.push("", "No changes.");
    return `${lines.join("\n")}\n`;
  }
  const section = (heading: string, entries: readonly ChangelogEntry[]) => {
    if (entries.length === 0) return;
    lines.push("", `### ${heading}`, "");
    for (const entry of entries) lines.push(renderChangelogEntry(entry));
  };
  section("⚠ Breaking changes", changelog.breaking);
  for (const type of CHANGE_TYPES) section(CHANGE_TYPE_HEADINGS[type], changelog.groups[type]);
  return `${lines.join("\n")}\n`;
}

/** `- **scope:** description ([#123](url)) by @author, reviewed by @a, @b` */
export function renderChangelogEntry(entry: ChangelogEntry): string {
  const { change } = entry;
  const scope = entry.scope ? `**${oneLine(entry.scope)}:** ` : "";
  const ref = change.url ? `[#${change.number}](${change.url})` : `#${change.number}`;
  let line = `- ${scope}${oneLine(entry.description)} (${ref})`;
  if (change.author) line += ` by @${change.author}`;
  if (change.reviewers.length > 0)
    line += `, reviewed by ${change.reviewers.map((r) => `@${r}`).join(", ")}`;
  return line;
}
