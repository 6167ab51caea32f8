import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * The path of a data file inside an installed package. Data files (JSON schemas, recorded
 * fixtures) are read from disk, not imported, and some packages do not export them, so
 * this walks Node's own `node_modules` lookup paths instead of `require.resolve`.
 */
export function packageFile(packageName: string, file: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(packageName) ?? []) {
    const candidate = join(dir, packageName, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`Cannot find ${file} in package ${packageName}; is it installed?`);
}
