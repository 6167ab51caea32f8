import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { errAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { ArtifactStore } from "../contracts/artifact-store.js";
import type { IncidentDetails } from "../contracts/incident-sink.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import { useFreshTempDir } from "../testing/temp-dir.js";
import { createFileIncidentSink } from "./file-incident-sink.js";
import { createFsArtifactStore } from "./fs-artifact-store.js";

const live = () => ({ signal: new AbortController().signal });
const sha = "f".repeat(40);
const incident = (overrides: Partial<IncidentDetails> = {}): IncidentDetails => ({
  service: "shop",
  environment: "production",
  version: "v1.4.0",
  sha,
  title: "shop v1.4.0 rolled back in production",
  severity: "critical",
  openedAt: "2026-01-05T23:59:00.000+00:00",
  breachReason: "error rate 4.10% > 1.00% at 25%",
  breachWeight: 25,
  rollbackVerified: true,
  rollbackMessage: "stable version v1.3.2 serving 100%",
  suspects: [
    {
      change: {
        number: 101,
        title: "feat(api): add | export",
        url: "https://github.com/acme/shop/pull/101",
        author: "alice",
        reviewers: [],
        labels: [],
        mergedAt: "2026-01-02T09:00:00Z",
        mergeSha: "a".repeat(40),
        files: [],
      },
      score: 4,
      likelyCulprit: false,
      reason: "feature touching runtime code",
    },
    {
      change: {
        number: 102,
        title: "fix(cart)!: change rounding",
        url: null,
        author: "carol",
        reviewers: [],
        labels: [],
        mergedAt: "2026-01-03T10:00:00Z",
        mergeSha: "b".repeat(40),
        files: [],
      },
      score: 7,
      likelyCulprit: true,
      reason: "breaking change to runtime code",
    },
  ],
  reportPath: "devops/reports/release-v1.4.0.md",
  dashboards: ["https://grafana.example.com/d/shop"],
  dedupKey: "shop/production/v1.4.0",
  ...overrides,
});

describe("createFileIncidentSink", () => {
  const root = useFreshTempDir("shipgate-incidents-");

  it("files INC-<UTC day>-01 with everything a responder needs", async () => {
    const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) });
    const ref = (await sink.open(incident(), live()))._unsafeUnwrap();
    expect(ref).toEqual({
      sink: "file",
      id: "INC-2026-01-05-01",
      path: "incidents/INC-2026-01-05-01.md",
    });
    const text = readFileSync(join(root(), ref.path!), "utf8");
    expect(text).toContain("# INC-2026-01-05-01: shop v1.4.0 rolled back in production");
    for (const fact of [
      "**Service:** shop",
      "**Environment:** production",
      "**Version:** v1.4.0",
      `\`${sha}\``,
      "**Severity:** critical",
      "**Status:** open",
    ]) {
      expect(text).toContain(fact);
    }
    expect(text).toContain("**error rate 4.10% > 1.00% at 25%** at 25% canary weight");
    expect(text).toContain("Rollback verified: yes — stable version v1.3.2 serving 100%");
    expect(text).not.toContain("NOT VERIFIED");
    expect(text).toContain(
      "**Likely culprit: #102 fix(cart)!: change rounding** by @carol — breaking change to runtime code",
    );
    expect(text).toContain(
      "| #102 **(likely culprit)** | fix(cart)!: change rounding | @carol | 7 | breaking change to runtime code |",
    );
    expect(text).toContain(
      "| [#101](https://github.com/acme/shop/pull/101) | feat(api): add \\| export | @alice | 4 |",
    );
    expect(text).toContain(
      "[devops/reports/release-v1.4.0.md](../devops/reports/release-v1.4.0.md)",
    );
    expect(text).toContain("- Dashboard: https://grafana.example.com/d/shop");
    expect(text).not.toContain(root());
  });

  it("says loudly when the rollback was not verified", async () => {
    const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) });
    const ref = (
      await sink.open(
        incident({ rollbackVerified: false, rollbackMessage: "stable has 3/5 pods ready" }),
        live(),
      )
    )._unsafeUnwrap();
    const text = readFileSync(join(root(), ref.path!), "utf8");
    expect(text).toContain("ROLLBACK NOT VERIFIED");
    expect(text).toContain("Rollback verified: NO — stable has 3/5 pods ready");
  });

  it("numbers after the highest existing incident of that day, ignoring other days", async () => {
    mkdirSync(join(root(), "incidents"));
    writeFileSync(join(root(), "incidents", "INC-2026-01-05-01.md"), "x");
    writeFileSync(join(root(), "incidents", "INC-2026-01-05-03.md"), "x");
    writeFileSync(join(root(), "incidents", "INC-2026-01-04-07.md"), "x");
    const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) });
    expect((await sink.open(incident(), live()))._unsafeUnwrap().id).toBe("INC-2026-01-05-04");
    expect(
      (await sink.open(incident({ openedAt: "2026-01-06T00:00:01Z" }), live()))._unsafeUnwrap().id,
    ).toBe("INC-2026-01-06-01");
  });

  it("gives concurrent incidents distinct numbers", async () => {
    const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) });
    const refs = await Promise.all(Array.from({ length: 6 }, () => sink.open(incident(), live())));
    const ids = refs.map((r) => r._unsafeUnwrap().id).sort();
    expect(ids).toEqual(["01", "02", "03", "04", "05", "06"].map((nn) => `INC-2026-01-05-${nn}`));
    expect(readdirSync(join(root(), "incidents"))).toHaveLength(6);
  });

  it("passes on store failures other than exists, and stops after 99 a day", async () => {
    const failing: ArtifactStore = {
      ...createFsArtifactStore({ rootDir: root() }),
      createExclusive: () => errAsync(new ShipgateError("precondition_failed", "read-only")),
    };
    const error = (
      await createFileIncidentSink({ store: failing }).open(incident(), live())
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("precondition_failed");

    mkdirSync(join(root(), "incidents"), { recursive: true });
    writeFileSync(join(root(), "incidents", "INC-2026-01-05-99.md"), "x");
    const full = (
      await createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) }).open(
        incident(),
        live(),
      )
    )._unsafeUnwrapErr();
    expect(full.kind).toBe("conflict");
  });

  it("rejects a bad openedAt and resolves to aborted for an aborted signal", async () => {
    const sink = createFileIncidentSink({ store: createFsArtifactStore({ rootDir: root() }) });
    expect(
      (await sink.open(incident({ openedAt: "yesterday" }), live()))._unsafeUnwrapErr().field,
    ).toBe("openedAt");
    const controller = new AbortController();
    controller.abort();
    expect(
      (await sink.open(incident(), { signal: controller.signal }))._unsafeUnwrapErr().kind,
    ).toBe("aborted");
    expect(readdirSync(root())).toEqual([]);
  });
});
