import type { DashboardLink } from "../contracts/incident-sink.js";

/**
 * The dashboards of an incident or a notification to link: their named links when the
 * release gave names, else their plain URLs, unnamed.
 *
 * @example
 * ```ts
 * for (const { name, url } of dashboardLinksOf(incident)) lines.push(`- [${name ?? url}](${url})`);
 * ```
 */
export function dashboardLinksOf(source: {
  dashboardLinks?: DashboardLink[];
  dashboards?: string[];
}): DashboardLink[] {
  return source.dashboardLinks ?? (source.dashboards ?? []).map((url) => ({ name: null, url }));
}
