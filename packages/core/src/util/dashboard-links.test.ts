import { describe, expect, it } from "vitest";
import { dashboardLinksOf } from "./dashboard-links.js";

describe("dashboardLinksOf", () => {
  it("prefers the named links", () => {
    const links = [{ name: "Grafana", url: "https://grafana.example.com/d/1" }];
    expect(
      dashboardLinksOf({ dashboards: ["https://other.example.com"], dashboardLinks: links }),
    ).toBe(links);
  });

  it("falls back to the plain URLs, unnamed, and to none", () => {
    expect(dashboardLinksOf({ dashboards: ["https://grafana.example.com/d/1"] })).toEqual([
      { name: null, url: "https://grafana.example.com/d/1" },
    ]);
    expect(dashboardLinksOf({})).toEqual([]);
  });
});
