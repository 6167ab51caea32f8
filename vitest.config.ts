import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * Tests import workspace packages from their sources (the `@shipgate/source` export
 * condition), so the suite never runs against a stale build.
 */
function workspaceAliases(): { find: string; replacement: string }[] {
  const aliases: { find: string; replacement: string }[] = [];
  const root = resolve(import.meta.dirname, "packages");
  for (const dir of readdirSync(root)) {
    let pkg: { name?: string; exports?: Record<string, Record<string, string>> };
    try {
      pkg = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    } catch {
      continue;
    }
    if (!pkg.name || !pkg.exports) continue;
    // Longest subpaths first so `@shipgate/core/testing` wins over `@shipgate/core`.
    const entries = Object.entries(pkg.exports).sort((a, b) => b[0].length - a[0].length);
    for (const [subpath, conditions] of entries) {
      const source = conditions["@shipgate/source"];
      if (!source) continue;
      const find = subpath === "." ? pkg.name : `${pkg.name}/${subpath.replace(/^\.\//, "")}`;
      aliases.push({ find, replacement: join(root, dir, source) });
    }
  }
  return aliases.map((a) => ({
    find: new RegExp(`^${a.find.replace(/[/.]/g, "\\$&")}$`),
    replacement: a.replacement,
  })) as never;
}

export default defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "packages/*/test/**/*.test.ts",
      "examples/*/src/**/*.test.ts",
      "scripts/*.test.ts",
    ],
    reporters: ["default", "./scripts/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
