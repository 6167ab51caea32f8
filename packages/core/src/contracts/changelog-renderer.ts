import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";
import type { ChangeRecord } from "./source-control.js";

/** The groups of a changelog, in the order they are shown. */
export const CHANGE_TYPES = ["feat", "fix", "chore", "docs", "other"] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

/** One change, classified. */
export interface ChangelogEntry {
  change: ChangeRecord;
  type: ChangeType;
  scope: string | null;
  breaking: boolean;
  /** The title without its conventional-commit prefix. */
  description: string;
  /** How the type was decided: from the title, from a label, or neither. */
  classifiedBy: "title" | "label" | "fallback";
}

/** A grouped changelog. */
export interface Changelog {
  version: string;
  previousVersion: string | null;
  groups: Record<ChangeType, ChangelogEntry[]>;
  breaking: ChangelogEntry[];
  total: number;
}

/** A changelog and its markdown. */
export interface RenderedChangelog {
  changelog: Changelog;
  markdown: string;
}

/** Errors a {@link ChangelogRenderer} may return. */
export type ChangelogRendererError = ShipgateError;

/** Groups changes and renders them. */
export interface ChangelogRenderer {
  readonly name: string;
  render(
    input: { version: string; previousVersion: string | null; changes: ChangeRecord[] },
    options: CallOptions,
  ): ResultAsync<RenderedChangelog, ChangelogRendererError>;
}
