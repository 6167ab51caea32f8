import type { IncidentDetails, IncidentSink } from "./incident-sink.js";

/**
 * The key of one release's incident, `shipgate/<service>/<environment>/<version>/<run>`: what
 * an {@link IncidentDetails.releaseKey} holds and {@link IncidentSink.findOpened} is asked for.
 * Service and environment never hold a `/` (the release spec refuses one).
 *
 * @example
 * ```ts
 * incidentReleaseKey({ service: "shop", environment: "production", version: "v1.4.0", run: "r1" });
 * // → "shipgate/shop/production/v1.4.0/r1"
 * ```
 */
export function incidentReleaseKey(release: {
  service: string;
  environment: string;
  version: string;
  run: string;
}): string {
  return `shipgate/${release.service}/${release.environment}/${release.version}/${release.run}`;
}

/**
 * The service and environment an {@link incidentReleaseKey} names, for a sink that looks its
 * incidents up by that scope; null for a key of another shape.
 */
export function incidentReleaseKeyScope(
  releaseKey: string,
): { service: string; environment: string } | null {
  const [prefix, service, environment, ...rest] = releaseKey.split("/");
  if (prefix !== "shipgate" || !service || !environment || rest.length === 0) return null;
  return { service, environment };
}
