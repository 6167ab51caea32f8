import { conformanceIncident } from "@shipgate/core/testing";
import { describe, expect, it } from "vitest";
import { parseIncidentMarker, renderIncidentIssue } from "./incident-issue-body.js";

describe("incident issue body", () => {
  it("round-trips the marker, even with characters that would end an HTML comment", () => {
    const incident = { ...conformanceIncident, service: "shop--api", version: "v1 -->" };
    const { body } = renderIncidentIssue(incident);
    expect(body.split("\n")[0]).not.toMatch(/-->.*-->/);
    expect(parseIncidentMarker(body)).toEqual({
      dedupKey: incident.dedupKey,
      service: "shop--api",
      environment: "production",
      version: "v1 -->",
    });
  });

  it("records the release key when the incident has one, and reads it back", () => {
    const releaseKey = "shipgate/shop/production/v1.4.0/run-7";
    const { body } = renderIncidentIssue({ ...conformanceIncident, releaseKey });
    expect(parseIncidentMarker(body)?.releaseKey).toBe(releaseKey);
    expect(body).toContain(`release key \`${releaseKey}\``);
    const old = renderIncidentIssue(conformanceIncident).body;
    expect(old.split("\n")[0]).not.toContain("releaseKey");
  });

  it("still reads markers written before the release key was recorded", () => {
    const old =
      '<!-- shipgate-incident {"dedupKey":"shipgate/shop/production","service":"shop","environment":"production","version":"v1.4.0"} -->\nbody';
    expect(parseIncidentMarker(old)).toEqual({
      dedupKey: "shipgate/shop/production",
      service: "shop",
      environment: "production",
      version: "v1.4.0",
    });
    expect(parseIncidentMarker(old.replace('"v1.4.0"', '"v1.4.0","releaseKey":7'))).toBeUndefined();
  });

  it("ignores issues that are not shipgate incidents", () => {
    expect(parseIncidentMarker("just a bug report")).toBeUndefined();
    expect(parseIncidentMarker(null)).toBeUndefined();
    expect(parseIncidentMarker("<!-- shipgate-incident {broken} -->")).toBeUndefined();
  });

  it("says so when there are no suspects and keeps table cells on one line", () => {
    const { body } = renderIncidentIssue({
      ...conformanceIncident,
      suspects: [],
      breachReason: "p95 | latency\n900 ms",
    });
    expect(body).toContain("_No pull requests were merged in this release._");
    expect(body).toContain("| Breach | p95 \\| latency 900 ms |");
  });
});
