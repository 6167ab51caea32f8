import { createHash } from "node:crypto";
import {
  culpritCc,
  dashboardLinksOf,
  type IncidentDetails,
  type IncidentSeverity,
  renderPostmortemText,
} from "@shipgate/core";

/**
 * The PagerDuty Events API v2 alert event (`POST /v2/enqueue`), as documented in
 * "Send an Alert Event" (developer.pagerduty.com): `routing_key`, `event_action` and, for a
 * trigger, `payload.summary` (≤ 1024 characters), `payload.source` and `payload.severity`
 * are required; `dedup_key` is at most 255 characters.
 */
export interface PagerDutyTriggerEvent {
  routing_key: string;
  event_action: "trigger";
  dedup_key: string;
  client?: string;
  client_url?: string;
  payload: {
    summary: string;
    source: string;
    severity: IncidentSeverity;
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: Record<string, unknown>;
  };
  links?: { href: string; text?: string }[];
}

/** A follow-up event for an open alert. */
export interface PagerDutyResolveEvent {
  routing_key: string;
  event_action: "resolve" | "acknowledge";
  dedup_key: string;
}

/** Any event this package sends. */
export type PagerDutyEvent = PagerDutyTriggerEvent | PagerDutyResolveEvent;

/** PagerDuty's documented limits. */
export const PAGERDUTY_LIMITS = { summary: 1024, dedupKey: 255 } as const;

/** Where and how an alert is labelled; all optional. */
export interface PagerDutyEventOptions {
  /** `payload.source`. Default `<service>.<environment>`. */
  source?: string;
  /** `payload.component`. Default the service. */
  component?: string;
  /** `payload.group`. Default the environment. */
  group?: string;
  /** Base URL the relative report path is resolved against, for a clickable link. */
  reportBaseUrl?: string;
}

const SEVERITIES: ReadonlySet<string> = new Set(["critical", "error", "warning", "info"]);
/** Suspects listed in `custom_details`; the rest are in the report. */
const MAX_SUSPECTS = 10;
/** Links attached to the alert. */
const MAX_LINKS = 10;
/** Timeline rows in `custom_details` (the whole event must stay under 512 KB). */
const MAX_TIMELINE_ROWS = 60;

/**
 * The dedup key for one service in one environment: `shipgate/<service>/<environment>`.
 * Stable across releases, so a second breach updates the alert already open (as PagerDuty
 * recommends) and a later success can resolve it without remembering anything.
 */
export function serviceDedupKey(service: string, environment: string): string {
  return fitDedupKey(`shipgate/${service}/${environment}`);
}

/**
 * Keeps a dedup key within 255 characters. A longer key is replaced by a hash of itself, so
 * the same input always gives the same key (a resolve must find its trigger).
 */
export function fitDedupKey(key: string): string {
  if (key.length <= PAGERDUTY_LIMITS.dedupKey) return key;
  return `shipgate/sha256/${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * Builds the trigger event for a rollback. Severity is shipgate's own (core decides it from
 * the breach); PagerDuty uses the same four words.
 */
export function buildTriggerEvent(
  incident: IncidentDetails,
  routingKey: string,
  options: PagerDutyEventOptions = {},
): PagerDutyTriggerEvent {
  const culprit = incident.suspects.find((s) => s.likelyCulprit);
  const links: { href: string; text: string }[] = [];
  const reportUrl = options.reportBaseUrl
    ? absoluteUrl(incident.reportPath, options.reportBaseUrl)
    : undefined;
  if (reportUrl) links.push({ href: reportUrl, text: `Release report ${incident.version}` });
  const dashboards = dashboardLinksOf(incident);
  dashboards.forEach(({ name, url: href }, i) => {
    if (isHttpUrl(href))
      links.push({
        href,
        text: name?.trim() || (dashboards.length === 1 ? "Dashboard" : `Dashboard ${i + 1}`),
      });
  });
  if (culprit?.change.url && isHttpUrl(culprit.change.url)) {
    links.push({ href: culprit.change.url, text: `Likely culprit: #${culprit.change.number}` });
  }

  const summary =
    incident.title.trim() ||
    `${incident.service} ${incident.version} rolled back in ${incident.environment}: ${incident.breachReason}`;
  const timestamp = Number.isNaN(Date.parse(incident.openedAt)) ? undefined : incident.openedAt;

  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: incident.dedupKey.trim()
      ? fitDedupKey(incident.dedupKey)
      : serviceDedupKey(incident.service, incident.environment),
    client: "shipgate",
    ...(reportUrl ? { client_url: reportUrl } : {}),
    payload: {
      summary: truncate(summary.replace(/\s+/g, " "), PAGERDUTY_LIMITS.summary),
      source: nonBlank(options.source) ?? `${incident.service}.${incident.environment}`,
      severity: SEVERITIES.has(incident.severity) ? incident.severity : "error",
      ...(timestamp ? { timestamp } : {}),
      component: nonBlank(options.component) ?? incident.service,
      group: nonBlank(options.group) ?? incident.environment,
      class: "release rollback",
      custom_details: {
        service: incident.service,
        environment: incident.environment,
        version: incident.version,
        sha: incident.sha,
        breach_reason: incident.breachReason,
        breach_weight_percent: incident.breachWeight,
        rollback_verified: incident.rollbackVerified,
        rollback: incident.rollbackMessage,
        likely_culprit: culprit
          ? `#${culprit.change.number} ${culprit.change.title} (${culprit.change.author}) — ${culprit.reason}`
          : null,
        suspects: incident.suspects.slice(0, MAX_SUSPECTS).map((s) => ({
          pr: `#${s.change.number}`,
          title: s.change.title,
          author: s.change.author,
          url: s.change.url,
          score: s.score,
          likely_culprit: s.likelyCulprit,
          reason: s.reason,
        })),
        ...(incident.suspects.length > MAX_SUSPECTS
          ? { suspects_omitted: incident.suspects.length - MAX_SUSPECTS }
          : {}),
        report: incident.reportPath,
        dashboards: incident.dashboards,
        opened_at: incident.openedAt,
        ...(incident.captain ? { captain: incident.captain } : {}),
        ...(culpritCc(incident) ? { cc: culpritCc(incident) } : {}),
        ...(incident.detection ? { detection: incident.detection } : {}),
        ...(incident.rollback ? { rollback_details: incident.rollback } : {}),
        ...(incident.impact ? { impact: incident.impact } : {}),
        postmortem_draft: renderPostmortemText(incident, { maxTimelineRows: MAX_TIMELINE_ROWS }),
      },
    },
    ...(links.length ? { links: links.slice(0, MAX_LINKS) } : {}),
  };
}

/** Builds the event that resolves the alert open under `dedupKey`. */
export function buildResolveEvent(dedupKey: string, routingKey: string): PagerDutyResolveEvent {
  return { routing_key: routingKey, event_action: "resolve", dedup_key: fitDedupKey(dedupKey) };
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

function nonBlank(value: string | undefined): string | undefined {
  return value?.trim() ? value.trim() : undefined;
}

function isHttpUrl(value: string): boolean {
  return /^https?:\/\//i.test(value) && URL.canParse(value);
}

function absoluteUrl(path: string, base: string): string | undefined {
  if (!path) return undefined;
  if (isHttpUrl(path)) return path;
  try {
    const url = new URL(path.replace(/^\/+/, ""), base.endsWith("/") ? base : `${base}/`);
    return isHttpUrl(url.href) ? url.href : undefined;
  } catch {
    return undefined;
  }
}
