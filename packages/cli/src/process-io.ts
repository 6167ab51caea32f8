import type { CliIo } from "./cli-io.js";

/** The real process. (Its own module, so the executable can start without the colours.) */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
