import { type CliIo, type OutputMode, printProblems } from "./cli-io.js";
import type { ConfigProblem } from "./config-problem.js";

/** Core's testing kit: simulators, virtual clock, scenarios. */
export type TestingKit = typeof import("@shipgate/core/simulation");

/**
 * Loads core's simulation kit (`@shipgate/core/simulation`: simulators, virtual clock,
 * scenarios — no vitest) on demand: only `demo` and `simulate` need it.
 */
export async function loadTestingKit(): Promise<
  { ok: true; kit: TestingKit } | { ok: false; problem: ConfigProblem }
> {
  try {
    return { ok: true, kit: await import("@shipgate/core/simulation") };
  } catch (error) {
    const message = String((error as Error)?.message ?? error);
    return {
      ok: false,
      problem: {
        key: "",
        message: `cannot load @shipgate/core/simulation: ${message.split("\n")[0]}`,
        hint: "reinstall @shipgate/cli and @shipgate/core",
      },
    };
  }
}

/**
 * {@link loadTestingKit} for a command: the kit, or `null` once the reason it cannot be
 * loaded has been printed (the command then exits 1).
 */
export async function loadTestingKitFor(
  io: CliIo,
  mode: Pick<OutputMode, "json" | "errColors">,
): Promise<TestingKit | null> {
  const loaded = await loadTestingKit();
  if (loaded.ok) return loaded.kit;
  printProblems(io, mode, [loaded.problem]);
  return null;
}
