import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script without declarations
import * as packCheck from "./pack-check.mjs";

const { checkTarball, checkUnpacked, packAll, publishedPackages, rootLicense } = packCheck as {
  checkTarball(tarball: string, options: { license: string }): Promise<string[]>;
  checkUnpacked(dir: string, options: { license: string }): Promise<string[]>;
  packAll(dest: string): Promise<Record<string, string>>;
  publishedPackages(): Promise<{ dir: string; name: string }[]>;
  rootLicense(): Promise<string>;
};

const packages = await publishedPackages();
let dest: string;
let tarballs: Record<string, string>;
let license: string;

beforeAll(async () => {
  license = await rootLicense();
  dest = await mkdtemp(join(tmpdir(), "shipgate-tarballs-"));
  tarballs = await packAll(dest);
}, 120_000);
afterAll(() => rm(dest, { recursive: true, force: true }));

describe("every published package packs fit to publish", () => {
  it("covers the eleven packages", () => {
    expect(packages.map((p) => p.name)).toContain("@shipgate/core");
    expect(packages.length).toBeGreaterThanOrEqual(11);
    expect(Object.keys(tarballs).sort()).toEqual(packages.map((p) => p.name).sort());
  });

  it.each(packages.map((p) => p.name))(
    "%s: only dist, README and LICENSE; no tests; testing kit behind ./testing; publint and arethetypeswrong clean",
    async (name) => {
      const problems = await checkTarball(tarballs[name]!, { license });
      expect(problems).toEqual([]);
    },
    60_000,
  );
});

describe("the check itself", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shipgate-bad-tarball-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names every way a tarball can be unfit", async () => {
    await mkdir(join(dir, "dist"), { recursive: true });
    await mkdir(join(dir, "bench"), { recursive: true });
    await writeFile(join(dir, "bench/changes.bench.mjs"), "");
    await writeFile(join(dir, "dist/index.test.js"), "");
    await writeFile(join(dir, "tsconfig.json"), "{}");
    await writeFile(join(dir, "LICENSE"), "MIT\n");
    await writeFile(
      join(dir, "package.json"),
      JSON.stringify({
        name: "@shipgate/bad",
        license: "Apache-2.0",
        exports: {
          ".": { import: "./dist/index.js" },
          "./testing": { import: "./dist/testing.js" },
        },
        dependencies: { "@shipgate/core": "workspace:*" },
      }),
    );
    await writeFile(
      join(dir, "dist/index.js"),
      'import { x } from "./chunk-A.js";\nexport const y = x;\n',
    );
    await writeFile(
      join(dir, "dist/chunk-A.js"),
      'import { describe } from "vitest";\nexport const x = describe;\n',
    );
    await writeFile(
      join(dir, "dist/chunk-A.js.map"),
      JSON.stringify({ version: 3, sources: ["../src/thing.ts", "../src/acme-emulator.ts"] }),
    );
    // The testing entry may bundle an emulator: not a problem.
    await writeFile(join(dir, "dist/testing.js"), "export {};\n");
    await writeFile(
      join(dir, "dist/testing.js.map"),
      JSON.stringify({ version: 3, sources: ["../src/testing/acme-emulator.ts"] }),
    );

    const problems = await checkUnpacked(dir, { license });
    expect(problems).toEqual([
      "ships a test, fixture or benchmark: bench/changes.bench.mjs",
      "ships a test, fixture or benchmark: dist/index.test.js",
      "ships tsconfig.json (only dist/, README.md and LICENSE belong in the tarball)",
      "has no README.md",
      "LICENSE is not the repository's LICENSE",
      'dependencies.@shipgate/core is still "workspace:*"',
      '"." loads vitest (through dist/chunk-A.js); only ./testing may',
      '"." bundles src/acme-emulator.ts (through dist/chunk-A.js); emulators and fakes belong in a ./testing entry point',
    ]);
  });
});
