import { describe, expect, it } from "vitest";
import { dashboardLinks } from "../artifacts/dashboard-links.js";
import { releaseSpecSchema } from "./release-spec.js";

const base = {
  environment: "production",
  service: "shop",
  version: "v1.4.0",
  sha: "a".repeat(40),
  slo: { error_rate_max: 0.01, p95_latency_ms: 300, window_minutes: 10 },
};

describe("release spec: captain and dashboards", () => {
  it("accepts dashboards as a list or as a map of name → URL, in the order written", () => {
    const list = releaseSpecSchema.parse({ ...base, dashboards: ["https://g.example.com/d/1"] });
    expect(dashboardLinks(list.dashboards)).toEqual([
      { name: null, url: "https://g.example.com/d/1" },
    ]);
    const named = releaseSpecSchema.parse({
      ...base,
      dashboards: { Grafana: "https://g.example.com/d/1", Datadog: "https://app.datadoghq.com/x" },
    });
    expect(dashboardLinks(named.dashboards)).toEqual([
      { name: "Grafana", url: "https://g.example.com/d/1" },
      { name: "Datadog", url: "https://app.datadoghq.com/x" },
    ]);
    expect(releaseSpecSchema.parse(base).dashboards).toEqual([]);
  });

  it("names the field of a bad dashboard", () => {
    const bad = releaseSpecSchema.safeParse({ ...base, dashboards: { Grafana: "not a url" } });
    expect(bad.error?.issues[0]).toMatchObject({
      path: ["dashboards", "Grafana"],
      message: "each dashboard must be a URL",
    });
    const wrong = releaseSpecSchema.safeParse({ ...base, dashboards: "https://g.example.com" });
    expect(wrong.error?.issues[0]?.message).toBe(
      "dashboards must be a list of URLs or a map of name → URL",
    );
  });

  it("takes an optional captain, trimmed, never empty", () => {
    expect(releaseSpecSchema.parse({ ...base, captain: " alice " }).captain).toBe("alice");
    expect(releaseSpecSchema.parse(base).captain).toBeUndefined();
    expect(releaseSpecSchema.safeParse({ ...base, captain: "" }).success).toBe(false);
  });
});
