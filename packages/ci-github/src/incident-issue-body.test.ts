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
