import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/**
 * A fresh temporary directory for each test of the enclosing `describe` (or file), removed
 * after the test. Read it through the getter: it changes from test to test.
 *
 * @example
 * ```ts
 * const root = useFreshTempDir("shipgate-store-");
 * it("writes", () => createFsArtifactStore({ rootDir: root() }));
 * ```
 */
export function useFreshTempDir(prefix: string): () => string {
  let dir: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error("the temporary directory exists only while a test runs");
    return dir;
  };
}
