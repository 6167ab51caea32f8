import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { errAsync, okAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfigInventory } from "../contracts/config-inventory.js";
import { ShipgateError } from "../errors/shipgate-error.js";
import { type MigrationSpec, preparationSpecSchema } from "../model/release-spec.js";
import { createEnvConfigInventory } from "./env-config-inventory.js";
import {
  assessMigration,
  checkManifestText,
  type PreparationFinding,
  runPreparationChecks,
} from "./preparation-checks.js";

let dir: string;
const live = () => new AbortController().signal;
const inventory = createEnvConfigInventory({
  env: {
    DATABASE_URL: "postgres://test-secret-value-not-real@db/x",
    FEATURE_FLAGS: "on",
    EMPTY: "",
  },
});

const GOOD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  replicas: 2
---
# the service
apiVersion: v1
kind: Service
metadata:
  name: checkout
---
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipgate-prep-"));
  await mkdir(join(dir, "k8s"));
  await writeFile(join(dir, "k8s/good.yaml"), GOOD);
  await writeFile(
    join(dir, "k8s/no-name.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  labels: {}\n",
  );
  await writeFile(
    join(dir, "k8s/invalid.yaml"),
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\nspec: {}\n",
  );
  await writeFile(
    join(dir, "k8s/scalar.yaml"),
    "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\n- just\n- a list\n",
  );
  await writeFile(join(dir, "k8s/empty.yaml"), "# nothing here\n");
  await writeFile(
    join(dir, "k8s/list.yaml"),
    "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: Service\n",
  );
  await mkdir(join(dir, "outside"));
  await writeFile(join(dir, "outside/secret.yaml"), GOOD);
  await mkdir(join(dir, "work"));
  await symlink(join(dir, "outside/secret.yaml"), join(dir, "work/link.yaml"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const prep = (input: Parameters<typeof preparationSpecSchema.parse>[0]) =>
  preparationSpecSchema.parse(input);

async function findingsFor(manifests: string[], cwd = dir): Promise<PreparationFinding[]> {
  const report = await runPreparationChecks(prep({ manifests }), {
    cwd,
    inventory,
    signal: live(),
  });
  return report._unsafeUnwrap().findings;
}

describe("runPreparationChecks: manifests", () => {
  it("passes a valid multi-document manifest and names its objects", async () => {
    const report = (
      await runPreparationChecks(prep({ manifests: ["k8s/good.yaml"] }), {
        cwd: dir,
        inventory,
        signal: live(),
      })
    )._unsafeUnwrap();
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([
      {
        check: "manifest",
        subject: "k8s/good.yaml",
        passed: true,
        blocking: true,
        message: "manifest k8s/good.yaml: 2 objects (Deployment/checkout, Service/checkout)",
      },
    ]);
  });

  it("says which document misses metadata.name", async () => {
    const [finding] = await findingsFor(["k8s/no-name.yaml"]);
    expect(finding).toMatchObject({ passed: false, blocking: true });
    expect(finding!.message).toBe(
      "manifest k8s/no-name.yaml: document 2 (line 6) (Secret) is missing metadata.name",
    );
  });

  it("reports invalid YAML with its line", async () => {
    const [finding] = await findingsFor(["k8s/invalid.yaml"]);
    expect(finding!.passed).toBe(false);
    expect(finding!.message).toMatch(
      /^manifest k8s\/invalid\.yaml: document 1: invalid YAML at line \d+, column \d+: /,
    );
    expect(finding!.message).not.toContain("\n");
  });

  it("rejects a document that is not a mapping", async () => {
    const [finding] = await findingsFor(["k8s/scalar.yaml"]);
    expect(finding!.passed).toBe(false);
    expect(finding!.message).toBe(
      "manifest k8s/scalar.yaml: document 2 (line 5) is a list, not a Kubernetes object (a mapping)",
    );
  });

  it("rejects a manifest with no objects at all", async () => {
    const [finding] = await findingsFor(["k8s/empty.yaml"]);
    expect(finding!.passed).toBe(false);
    expect(finding!.message).toBe("manifest k8s/empty.yaml: contains no Kubernetes objects");
  });

  it("checks the items of a kind: List", async () => {
    const [finding] = await findingsFor(["k8s/list.yaml"]);
    expect(finding!.passed).toBe(false);
    expect(finding!.message).toContain("item 2 (Service) is missing metadata.name");
  });

  it("rejects absolute, escaping, symlinked-out and missing paths", async () => {
    const findings = await findingsFor(
      [join(dir, "k8s/good.yaml"), "../outside/secret.yaml", "link.yaml", "nope.yaml"],
      join(dir, "work"),
    );
    expect(findings.map((f) => f.passed)).toEqual([false, false, false, false]);
    expect(findings.map((f) => f.message.replace(/^manifest \S+: /, ""))).toEqual([
      "must be a path relative to the working directory",
      "points outside the working directory",
      "resolves (through a symlink) outside the working directory",
      "not found",
    ]);
  });
});

describe("runPreparationChecks: config and secrets", () => {
  it("blocks on a missing secret, naming it but never a value", async () => {
    const report = (
      await runPreparationChecks(
        prep({
          required_config: ["FEATURE_FLAGS"],
          required_secrets: ["DATABASE_URL", "PAYMENTS_API_KEY", "EMPTY"],
        }),
        { cwd: dir, inventory, signal: live() },
      )
    )._unsafeUnwrap();
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.check, f.subject, f.passed])).toEqual([
      ["config", "FEATURE_FLAGS", true],
      ["secret", "DATABASE_URL", true],
      ["secret", "PAYMENTS_API_KEY", false],
      ["secret", "EMPTY", false],
    ]);
    expect(report.findings[2]!.message).toBe(
      "secret PAYMENTS_API_KEY is missing from environment: create it before releasing",
    );
    expect(JSON.stringify(report)).not.toContain("test-secret-value-not-real");
  });

  it("fails closed when the inventory cannot be asked", async () => {
    const broken: ConfigInventory = {
      name: "vault",
      has: () => errAsync(new ShipgateError("unavailable", "vault answered 503")),
    };
    const report = (
      await runPreparationChecks(prep({ required_secrets: ["X"] }), {
        cwd: dir,
        inventory: broken,
        signal: live(),
      })
    )._unsafeUnwrap();
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({
      passed: false,
      blocking: true,
      message: "could not check secret X in vault: vault answered 503",
    });
  });

  it("resolves to aborted when the signal fires", async () => {
    const controller = new AbortController();
    const slow: ConfigInventory = {
      name: "slow",
      has: () => {
        controller.abort();
        return okAsync(true);
      },
    };
    const result = await runPreparationChecks(prep({ required_config: ["A", "B"] }), {
      cwd: dir,
      inventory: slow,
      signal: controller.signal,
    });
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });
});

describe("runPreparationChecks: migrations", () => {
  it("blocks a destructive migration without a tested rollback, with a message that says so", async () => {
    const report = (
      await runPreparationChecks(
        prep({
          migrations: [
            { name: "0041_add_orders_index", kind: "forward_only" },
            { name: "0042_drop_orders_legacy", kind: "forward_only", destructive: true },
          ],
        }),
        { cwd: dir, inventory, signal: live() },
      )
    )._unsafeUnwrap();
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({
      passed: true,
      message:
        "migration 0041_add_orders_index: forward-only: rollback of the app must stay compatible with the new schema",
    });
    expect(report.findings[1]).toEqual({
      check: "migration",
      subject: "0042_drop_orders_legacy",
      passed: false,
      blocking: true,
      message:
        "migration 0042_drop_orders_legacy is destructive and has no tested rollback: add a reversible down migration and test it, or split it into an expand/contract pair",
    });
  });

  it("passes a reversible migration without a tested rollback, with a warning", () => {
    const finding = assessMigration({
      name: "0043_add_col",
      kind: "reversible",
      destructive: false,
      rollback_tested: false,
    });
    expect(finding.passed).toBe(true);
    expect(finding.message).toContain("warning");
  });

  it("blocks exactly the destructive migrations without a tested reversible rollback (property)", () => {
    const migration = fc.record<MigrationSpec>({
      name: fc.string({ minLength: 1, maxLength: 40 }),
      kind: fc.constantFrom("forward_only" as const, "reversible" as const),
      destructive: fc.boolean(),
      rollback_tested: fc.boolean(),
      path: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(migration, (m) => {
        const finding = assessMigration(m);
        const blocks = !finding.passed && finding.blocking;
        const shouldBlock = m.destructive && !(m.kind === "reversible" && m.rollback_tested);
        expect(blocks).toBe(shouldBlock);
        expect(finding.subject).toBe(m.name);
        expect(finding.check).toBe("migration");
        if (shouldBlock)
          expect(finding.message).toContain("is destructive and has no tested rollback");
      }),
    );
  });

  it("is ok when nothing blocks (property over whole specs)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom("forward_only" as const, "reversible" as const),
            destructive: fc.boolean(),
            rollback_tested: fc.boolean(),
          }),
          { maxLength: 6 },
        ),
        async (ms) => {
          const migrations = ms.map((m, i) => ({ ...m, name: `m${i}` }));
          const report = (
            await runPreparationChecks(prep({ migrations }), {
              cwd: dir,
              inventory,
              signal: live(),
            })
          )._unsafeUnwrap();
          const anyBlocking = migrations.some(
            (m) => m.destructive && !(m.kind === "reversible" && m.rollback_tested),
          );
          expect(report.ok).toBe(!anyBlocking);
          expect(report.findings).toHaveLength(migrations.length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("checkManifestText", () => {
  it("checks rendered text like a manifest file, naming the subject", () => {
    const rendered =
      "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n";
    expect(checkManifestText(rendered, "helm template shop")).toEqual({
      check: "manifest",
      subject: "helm template shop",
      passed: true,
      blocking: true,
      message: "manifest helm template shop: 2 objects (Service/shop, Deployment/shop)",
    });
    const broken = checkManifestText("kind: Service\nmetadata: {}\n", "helm template shop");
    expect(broken.passed).toBe(false);
    expect(broken.message).toMatch(/^manifest helm template shop: document 1 \(line 1\)/);
  });
});
