import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportsTarget, resolvePackage, splitSpecifier } from "./package-resolver.js";

describe("exportsTarget", () => {
  it("follows the import condition, never require-only or source conditions", () => {
    const pkg = {
      exports: {
        ".": {
          "@shipgate/source": "./src/index.ts",
          types: "./dist/index.d.ts",
          import: "./dist/index.js",
        },
        "./testing": { require: "./dist/testing.cjs", default: "./dist/testing.js" },
        "./adapters/*": { import: "./dist/adapters/*.js" },
      },
    };
    expect(exportsTarget(pkg, ".")).toBe("./dist/index.js");
    expect(exportsTarget(pkg, "./testing")).toBe("./dist/testing.js");
    expect(exportsTarget(pkg, "./adapters/slack")).toBe("./dist/adapters/slack.js");
    expect(exportsTarget(pkg, "./missing")).toBeNull();
  });
  it("falls back to module, then main", () => {
    expect(exportsTarget({ main: "lib/x.js" }, ".")).toBe("lib/x.js");
    expect(exportsTarget({ module: "esm/x.js", main: "lib/x.js" }, ".")).toBe("esm/x.js");
    expect(exportsTarget({ exports: "./only.js" }, ".")).toBe("./only.js");
  });
  it("splits scoped specifiers", () => {
    expect(splitSpecifier("@shipgate/ci-github")).toEqual(["@shipgate/ci-github", "."]);
    expect(splitSpecifier("@acme/adapters/slo")).toEqual(["@acme/adapters", "./slo"]);
    expect(splitSpecifier("plain")).toEqual(["plain", "."]);
  });
});

describe("resolvePackage", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "shipgate-resolve-"));
    const pkg = join(root, "node_modules", "@acme", "slo");
    await mkdir(join(pkg, "dist"), { recursive: true });
    await writeFile(
      join(pkg, "package.json"),
      JSON.stringify({ name: "@acme/slo", exports: { ".": { import: "./dist/index.js" } } }),
    );
    await writeFile(join(pkg, "dist", "index.js"), "export const shipgateProvider = null;\n");
    await mkdir(join(root, "deploy", "prod"), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("walks up node_modules from the config's directory", async () => {
    expect(await resolvePackage("@acme/slo", join(root, "deploy", "prod"))).toBe(
      join(root, "node_modules", "@acme", "slo", "dist", "index.js"),
    );
  });
  it("returns null for a package that is not installed", async () => {
    expect(await resolvePackage("@acme/nope", join(root, "deploy"))).toBeNull();
  });
});
