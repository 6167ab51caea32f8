import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HelmRevision } from "./helm-release.js";
import { previousRevision, type RevisionWithValues, rolledBackTo } from "./previous-revision.js";

const paths = ["image.tag", "canary.image.tag"];
const rev = (
  revision: number,
  status: string,
  values: Record<string, unknown>,
): RevisionWithValues => ({
  revision: {
    revision,
    status,
    updated: "2026-01-01T00:00:00Z",
    chart: "shop-0.1.0",
    app_version: "1.0",
    description: "",
  } satisfies HelmRevision,
  values,
});

describe("previousRevision", () => {
  it("skips the release's own revisions and failed ones", () => {
    const history = [
      rev(6, "deployed", { image: { tag: "v1.3.2" }, canary: { image: { tag: "v1.4.0" } } }),
      rev(5, "superseded", { image: { tag: "v1.3.2" }, canary: { image: { tag: "v1.4.0" } } }),
      rev(4, "failed", { image: { tag: "v1.3.3" } }),
      rev(3, "superseded", { image: { tag: "v1.3.2" } }),
    ];
    expect(previousRevision(history, "v1.4.0", paths)?.revision).toBe(3);
  });

  it("is null when the top revision is not the release's, or nothing older served", () => {
    expect(
      previousRevision([rev(2, "deployed", { image: { tag: "v1.3.2" } })], "v1.4.0", paths),
    ).toBeNull();
    expect(
      previousRevision([rev(1, "deployed", { image: { tag: "v1.4.0" } })], "v1.4.0", paths),
    ).toBeNull();
    expect(previousRevision([], "v1.4.0", paths)).toBeNull();
  });

  it("never returns one of the release's own revisions", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ours: fc.boolean(), failed: fc.boolean() }), { maxLength: 12 }),
        (rows) => {
          const history = rows.map((r, i) =>
            rev(rows.length - i, r.failed ? "failed" : "superseded", {
              image: { tag: r.ours ? "v2.0.0" : "v1.0.0" },
            }),
          );
          const found = previousRevision(history, "v2.0.0", paths);
          if (found === null) return;
          const row = history.find((h) => h.revision.revision === found.revision)!;
          expect(row.values).toEqual({ image: { tag: "v1.0.0" } });
          expect(found.status).not.toBe("failed");
        },
      ),
    );
  });

  it("reads the target of a rollback revision from its description", () => {
    expect(rolledBackTo({ ...rev(7, "deployed", {}).revision, description: "Rollback to 3" })).toBe(
      3,
    );
    expect(
      rolledBackTo({ ...rev(7, "deployed", {}).revision, description: "Upgrade complete" }),
    ).toBeNull();
  });
});
