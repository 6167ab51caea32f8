import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";
import type { DashboardLink } from "./incident-sink.js";

/** What happened, for people watching a channel. */
export type NotificationKind =
  | "release_started"
  | "step_passed"
  | "release_succeeded"
  | "release_aborted"
  | "release_blocked"
  | "release_failed";

/** A message to people. Paths are relative; links are absolute URLs. */
export interface Notification {
  kind: NotificationKind;
  service: string;
  environment: string;
  version: string;
  sha: string;
  /** One line, readable as plain text. */
  summary: string;
  /** Short markdown body: the deploy note. */
  body: string;
  /** The weight reached, for `step_passed`. */
  weight?: number;
  /** Incident link or path, for `release_aborted`. */
  incident?: { id: string; url?: string; path?: string };
  /** Changelog summary lines, for `release_succeeded`. */
  changelog?: string[];
  reportPath?: string;
  dashboards?: string[];
  /** The same dashboards with the names the release gave them (`Grafana`), in order. */
  dashboardLinks?: DashboardLink[];
}

/** Errors a {@link Notifier} may return. */
export type NotifierError = ShipgateError;

/** Best effort: a failed notification is recorded, never changes the outcome. */
export interface Notifier {
  readonly name: string;
  notify(notification: Notification, options: CallOptions): ResultAsync<void, NotifierError>;
}
