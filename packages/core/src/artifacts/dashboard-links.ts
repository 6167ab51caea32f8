import type { DashboardLink } from "../contracts/incident-sink.js";

/**
 * The release's `dashboards` (a list of URLs, or a map of name → URL) as links, in the
 * order written.
 */
export function dashboardLinks(
  dashboards: readonly string[] | Readonly<Record<string, string>> | undefined,
): DashboardLink[] {
  if (!dashboards) return [];
  if (Array.isArray(dashboards)) return dashboards.map((url) => ({ name: null, url }));
  return Object.entries(dashboards as Record<string, string>).map(([name, url]) => ({
    name,
    url,
  }));
}

/** `Grafana: https://…`, or the bare URL for an unnamed link. */
export function formatDashboardLink(link: DashboardLink): string {
  return link.name ? `${link.name}: ${link.url}` : link.url;
}
