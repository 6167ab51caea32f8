#!/usr/bin/env node
// Packs every published package the way `pnpm publish` would and checks each tarball:
// only dist/, README.md, LICENSE (the root's Apache-2.0 text) and package.json; no tests;
// emulators, fakes and conformance suites reachable only from `./testing` entry points;
// no `workspace:` specifier left; then publint and arethetypeswrong (ESM-only profile).
// `node scripts/pack-check.mjs` after a build; `scripts/pack-check.test.ts` runs the same.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix, relative, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const BIN = join(ROOT, "node_modules/.bin");

/** Source files that belong to a testing kit: emulators, fakes, conformance suites, tests. */
const TESTING_SOURCE =
  /(^|\/)(testing|test|__fixtures__|fixtures)\/|[-.]emulator\.ts$|\.(test|spec)\.[cm]?[jt]s$/;
/** Files a tarball may hold besides package.json. */
const ALLOWED_FILE = /^(dist\/.+|README\.md|LICENSE)$/;
const TEST_FILE = /(^|\/)(test|tests|__tests__|__fixtures__|bench)\/|\.(test|spec)\.[cm]?[jt]sx?$/;

/** The published (non-private) packages under packages/, by directory. */
export async function publishedPackages() {
  const out = [];
  for (const dir of (await readdir(join(ROOT, "packages"))).sort()) {
    const file = join(ROOT, "packages", dir, "package.json");
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(await readFile(file, "utf8"));
    if (!pkg.private) out.push({ dir: join(ROOT, "packages", dir), name: pkg.name });
  }
  return out;
}

/** `pnpm pack` of every published package into `dest` (one recursive run); tarballs by name. */
export async function packAll(dest) {
  await mkdir(dest, { recursive: true });
  await run(
    "npx",
    ["-y", "pnpm@10.34.8", "-r", "--filter", "./packages/**", "pack", "--pack-destination", dest],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  const tarballs = {};
  for (const { dir, name } of await publishedPackages()) {
    const { version } = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    // pnpm names a tarball after the package: `@shipgate/core` 0.1.1 → shipgate-core-0.1.1.tgz.
    const file = join(dest, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack wrote no ${file}`);
    tarballs[name] = file;
  }
  return tarballs;
}

/** Whether an `exports` key or its target is a testing entry point. */
function isTestingEntry(subpath, target) {
  return /^\.\/testing(\/|$)/.test(subpath) || /(^|\/)testing\//.test(target);
}

/** The JS file an `exports` value points to for `import`. */
function importTarget(value) {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") return value.import ?? value.default ?? null;
  return null;
}

/** Every dist file a JS file reaches through relative static and dynamic imports. */
async function reachable(packageDir, entry) {
  const seen = new Set();
  const queue = [posix.normalize(entry)];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file) || !existsSync(join(packageDir, file))) continue;
    seen.add(file);
    const code = await readFile(join(packageDir, file), "utf8");
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      queue.push(posix.join(posix.dirname(file), m[1]));
    }
  }
  return [...seen];
}

/** Bare module names a JS file imports statically. */
function bareImports(code) {
  return [...code.matchAll(/^\s*import\s[^;]*?from\s*["']([^."'][^"']*)["']/gm)].map((m) => m[1]);
}

/**
 * Checks an unpacked tarball (`dir` holds what is under `package/`). Returns the problems,
 * one sentence each; none means the tarball is fit to publish.
 */
export async function checkUnpacked(dir, options) {
  const problems = [];
  const files = [];
  const walk = async (d) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.push(relative(dir, full).split("\\").join("/"));
    }
  };
  await walk(dir);
  for (const file of files.sort()) {
    if (file === "package.json") continue;
    if (TEST_FILE.test(file)) problems.push(`ships a test, fixture or benchmark: ${file}`);
    else if (!ALLOWED_FILE.test(file))
      problems.push(`ships ${file} (only dist/, README.md and LICENSE belong in the tarball)`);
  }
  for (const required of ["README.md", "LICENSE"]) {
    if (!files.includes(required)) problems.push(`has no ${required}`);
  }
  if (files.includes("LICENSE")) {
    const license = await readFile(join(dir, "LICENSE"), "utf8");
    if (license !== options.license) problems.push("LICENSE is not the repository's LICENSE");
  }
  const manifestText = await readFile(join(dir, "package.json"), "utf8");
  const manifest = JSON.parse(manifestText);
  for (const field of [
    "dependencies",
    "peerDependencies",
    "optionalDependencies",
    "devDependencies",
  ]) {
    for (const [dep, spec] of Object.entries(manifest[field] ?? {})) {
      if (String(spec).startsWith("workspace:"))
        problems.push(`${field}.${dep} is still "${spec}"`);
    }
  }
  if (manifest.license !== "Apache-2.0") problems.push(`license is ${manifest.license}`);

  // Entry points a user's production code loads must not pull the testing kit in.
  const entries = [];
  for (const [subpath, value] of Object.entries(manifest.exports ?? {})) {
    const target = importTarget(value);
    if (target && !isTestingEntry(subpath, target)) entries.push({ name: subpath, target });
  }
  const bins = typeof manifest.bin === "string" ? { bin: manifest.bin } : (manifest.bin ?? {});
  for (const [name, target] of Object.entries(bins)) entries.push({ name: `bin ${name}`, target });
  for (const { name, target } of entries) {
    for (const file of await reachable(dir, target)) {
      const code = await readFile(join(dir, file), "utf8");
      for (const bare of bareImports(code)) {
        if (bare === "vitest" || bare.startsWith("vitest/"))
          problems.push(`"${name}" loads ${bare} (through ${file}); only ./testing may`);
      }
      const mapFile = join(dir, `${file}.map`);
      if (!existsSync(mapFile)) continue;
      const map = JSON.parse(await readFile(mapFile, "utf8"));
      for (const source of map.sources ?? []) {
        const clean = source.replace(/^(\.\.\/)+/, "");
        if (TESTING_SOURCE.test(clean))
          problems.push(
            `"${name}" bundles ${clean} (through ${file}); emulators and fakes belong in a ./testing entry point`,
          );
      }
    }
  }
  return problems;
}

/** publint on a tarball: every message at warning level or above is a problem. */
export async function publintProblems(tarball) {
  const { publint } = await import("publint");
  const { formatMessage } = await import("publint/utils");
  const data = await readFile(tarball);
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
  const { messages, pkg } = await publint({
    pack: { tarball: buffer },
    level: "warning",
    strict: true,
  });
  return messages.map((m) => `publint: ${formatMessage(m, pkg) ?? m.code}`);
}

/** arethetypeswrong on a tarball, ESM-only profile (the packages ship no CommonJS). */
export async function attwProblems(tarball) {
  try {
    await run(join(BIN, "attw"), [tarball, "--profile", "esm-only", "--no-color", "--no-emoji"], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return [];
  } catch (error) {
    const out = `${error.stdout ?? ""}${error.stderr ?? ""}`.trim();
    return [`arethetypeswrong: ${out || error.message}`];
  }
}

/** Unpacks and checks one tarball; returns its problems. */
export async function checkTarball(tarball, options) {
  const dir = await mkdtemp(join(tmpdir(), "shipgate-pack-"));
  try {
    await run("tar", ["-xzf", tarball, "-C", dir]);
    const [own, lint, types] = await Promise.all([
      checkUnpacked(join(dir, "package"), options),
      publintProblems(tarball),
      attwProblems(tarball),
    ]);
    return [...own, ...lint, ...types];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The repository's LICENSE text, which every tarball must carry unchanged. */
export function rootLicense() {
  return readFile(join(ROOT, "LICENSE"), "utf8");
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const dest = await mkdtemp(join(tmpdir(), "shipgate-tarballs-"));
  const started = Date.now();
  try {
    const license = await rootLicense();
    const tarballs = await packAll(dest);
    let failed = 0;
    for (const [name, tarball] of Object.entries(tarballs)) {
      const problems = await checkTarball(tarball, { license });
      if (problems.length) failed += 1;
      console.log(`${problems.length ? "✗" : "✓"} ${name}`);
      for (const p of problems) console.log(`    ${p}`);
    }
    const count = Object.keys(tarballs).length;
    console.log(
      `pack check: ${count - failed} of ${count} packages fit to publish (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    process.exitCode = failed ? 1 : 0;
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}
