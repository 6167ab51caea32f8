import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describeReleaseLockConformance } from "../testing/index.js";
import { createFileReleaseLock } from "./file-release-lock.js";

describeReleaseLockConformance("file lock", () => {
  const root = mkdtempSync(join(tmpdir(), "shipgate-lock-conf-"));
  return {
    makeLock: () => createFileReleaseLock({ rootDir: root }),
    // Rewrite the lock as held by a process on this host that has exited.
    makeStale: async (service: string) => {
      const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
      const pid = child.pid!;
      await new Promise<void>((resolve) => child.on("exit", () => resolve()));
      const path = join(root, "devops/status", `release-${service}.lock`);
      const holder = JSON.parse(readFileSync(path, "utf8"));
      writeFileSync(path, JSON.stringify({ ...holder, host: hostname(), pid }));
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
