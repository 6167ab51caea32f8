import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvConfigInventory } from "./env-config-inventory.js";

let dir: string;
const live = () => new AbortController().signal;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shipgate-inventory-"));
  await writeFile(join(dir, "DB_PASSWORD"), "test-secret-value-not-real");
  await writeFile(join(dir, "EMPTY_FILE"), "");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("createEnvConfigInventory", () => {
  const inventory = createEnvConfigInventory({
    env: { API_URL: "https://api.local", BLANK: "" },
    files: { dir: "" },
  });

  it("finds non-empty env vars only", async () => {
    const env = createEnvConfigInventory({ env: { API_URL: "https://api.local", BLANK: "" } });
    expect(env.name).toBe("environment");
    expect((await env.has("config", "API_URL", { signal: live() }))._unsafeUnwrap()).toBe(true);
    expect((await env.has("config", "BLANK", { signal: live() }))._unsafeUnwrap()).toBe(false);
    expect((await env.has("secret", "MISSING", { signal: live() }))._unsafeUnwrap()).toBe(false);
  });

  it("finds non-empty files in the mounted directory, without returning their values", async () => {
    const mounted = createEnvConfigInventory({ env: {}, files: { dir } });
    expect(mounted.name).toBe(`environment and ${dir}`);
    const has = await mounted.has("secret", "DB_PASSWORD", { signal: live() });
    expect(has._unsafeUnwrap()).toBe(true);
    expect(JSON.stringify(has)).not.toContain("test-secret-value-not-real");
    expect((await mounted.has("secret", "EMPTY_FILE", { signal: live() }))._unsafeUnwrap()).toBe(
      false,
    );
    expect((await mounted.has("secret", "NOT_MOUNTED", { signal: live() }))._unsafeUnwrap()).toBe(
      false,
    );
  });

  it("refuses names that are paths", async () => {
    const mounted = createEnvConfigInventory({ env: {}, files: { dir } });
    for (const name of ["../etc/passwd", "a/b", ".."]) {
      const error = (await mounted.has("secret", name, { signal: live() }))._unsafeUnwrapErr();
      expect(error.kind).toBe("invalid_input");
      expect(error.field).toBe("preparation.required_secrets");
    }
  });

  it("resolves to aborted on a fired signal", async () => {
    const controller = new AbortController();
    controller.abort();
    expect(
      (await inventory.has("config", "API_URL", { signal: controller.signal }))._unsafeUnwrapErr()
        .kind,
    ).toBe("aborted");
  });
});
