import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

/** Conditions tried in a package's `exports`, in order: this is an ESM import from Node. */
const CONDITIONS = ["import", "node", "default"];

/** `@scope/name/sub` → `["@scope/name", "./sub"]`; `name` → `["name", "."]`. */
export function splitSpecifier(specifier: string): [string, string] {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const rest = parts.slice(nameLength).join("/");
  return [name, rest ? `./${rest}` : "."];
}

function pickTarget(entry: unknown): string | null {
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) {
      const target = pickTarget(item);
      if (target) return target;
    }
    return null;
  }
  if (entry !== null && typeof entry === "object") {
    for (const [condition, value] of Object.entries(entry)) {
      if (CONDITIONS.includes(condition)) {
        const target = pickTarget(value);
        if (target) return target;
      }
    }
  }
  return null;
}

/** The file a package's `exports` (or `module` / `main`) maps `subpath` to, or null. */
export function exportsTarget(pkg: Record<string, unknown>, subpath: string): string | null {
  const exports = pkg.exports;
  if (exports !== undefined && exports !== null) {
    const isSubpathMap =
      typeof exports === "object" &&
      !Array.isArray(exports) &&
      Object.keys(exports).some((k) => k.startsWith("."));
    if (!isSubpathMap) return subpath === "." ? pickTarget(exports) : null;
    const map = exports as Record<string, unknown>;
    if (subpath in map) return pickTarget(map[subpath]);
    // `./*` style patterns.
    for (const [pattern, value] of Object.entries(map)) {
      const star = pattern.indexOf("*");
      if (star < 0) continue;
      const head = pattern.slice(0, star);
      const tail = pattern.slice(star + 1);
      if (subpath.startsWith(head) && subpath.endsWith(tail)) {
        const target = pickTarget(value);
        const middle = subpath.slice(head.length, subpath.length - tail.length);
        if (target) return target.replace("*", middle);
      }
    }
    return null;
  }
  if (subpath !== ".") return subpath;
  if (typeof pkg.module === "string") return pkg.module;
  if (typeof pkg.main === "string") return pkg.main;
  return "./index.js";
}

const isFile = async (path: string) => {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
};

/**
 * Resolves a bare package specifier the way `import` would from a file in `fromDir`:
 * walks up `node_modules` directories and follows the package's `exports` with the
 * `import` / `node` / `default` conditions. Needed because `createRequire().resolve`
 * uses the `require` condition (which ESM-only packages do not offer) and Node 20's
 * `import.meta.resolve` cannot take a parent without a flag. Returns null when not found.
 */
export async function resolvePackage(specifier: string, fromDir: string): Promise<string | null> {
  const [name, subpath] = splitSpecifier(specifier);
  let dir = resolve(fromDir);
  for (;;) {
    const pkgDir = join(dir, "node_modules", ...name.split("/"));
    const pkgJson = join(pkgDir, "package.json");
    let pkg: Record<string, unknown> | null = null;
    try {
      pkg = JSON.parse(await readFile(pkgJson, "utf8")) as Record<string, unknown>;
    } catch {
      pkg = null;
    }
    if (pkg) {
      const target = exportsTarget(pkg, subpath);
      if (target) {
        const file = join(pkgDir, target);
        if (await isFile(file)) return file;
      }
      return null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
