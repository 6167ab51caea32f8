import { readFileSync } from "node:fs";
import type { ReplayEntry } from "./github-emulator.js";
import { packageFile } from "./package-file.js";

/** One exchange as `@octokit/fixtures` stores it (`normalized-fixture.json`). */
interface RecordedFixture {
  scope: string;
  method: string;
  path: string;
  status: number;
  response: unknown;
  headers: Record<string, string>;
}

/**
 * Loads a recorded `@octokit/fixtures` scenario (real api.github.com exchanges, normalised
 * by Octokit) as replay entries for the emulator, read from the installed package rather
 * than copied. `operationIds` names the OpenAPI operation of each exchange, by index, so the
 * emulator validates the recorded bodies too.
 *
 * @example
 * ```ts
 * gh.replay(loadFixtureScenario("create-status", { 3: "repos/get-combined-status-for-ref" }));
 * ```
 */
export function loadFixtureScenario(
  scenario: string,
  operationIds: Record<number, string> = {},
): ReplayEntry[] {
  const file = packageFile(
    "@octokit/fixtures",
    `scenarios/api.github.com/${scenario}/normalized-fixture.json`,
  );
  const recorded = JSON.parse(readFileSync(file, "utf8")) as RecordedFixture[];
  return recorded.map((r, index) => ({
    method: r.method.toUpperCase(),
    path: r.path,
    status: r.status,
    headers: r.headers,
    response: r.response,
    ...(operationIds[index] ? { operationId: operationIds[index] } : {}),
  }));
}
