import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, extname, join, resolve } from "node:path";
import { createFsArtifactStore, type ReleaseEvent } from "@shipgate/core";
import { parseDocument } from "yaml";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import type { ConfigProblem } from "./config-problem.js";
import { clockTime, describeEvent } from "./event-format.js";
import { loadTestingKitFor } from "./testing-kit.js";
import { zodIssuesToProblems } from "./zod-problems.js";

/** A file name safe for a directory: `Breach at 25%` → `breach-at-25`. */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s || "scenario";
}

/**
 * `shipgate simulate <scenario.yaml…>`: runs scenarios (core's scenario format) on the
 * virtual clock, each with an fs artifact store in its own subdirectory of `--out`
 * (default: a fresh temp dir, printed), and reports each `expect` as pass/fail like a test
 * runner. All files are read and checked before anything runs or is written. Exit code:
 * the release's for one scenario (1 if its expectation failed on a release that exited 0),
 * and 0/1 (all expectations held / some did not) for several.
 */
export async function runSimulateCommand(
  flags: Record<string, unknown>,
  files: readonly string[],
  io: CliIo,
): Promise<number> {
  const mode = outputMode(io, flags);
  const c = mode.colors;
  if (files.length === 0) {
    printProblems(io, mode, [
      {
        key: "",
        message: "simulate needs at least one scenario file",
        hint: "e.g. shipgate simulate examples/scenarios/*.yaml",
      },
    ]);
    return 1;
  }
  // The testing kit is loaded only here and in the demo: the release path never needs it.
  const kit = await loadTestingKitFor(io, mode);
  if (!kit) return 1;
  const problems: { file: string; problem: ConfigProblem }[] = [];
  const scenarios: { file: string; scenario: ReturnType<typeof kit.scenarioSchema.parse> }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(resolve(io.cwd, file), "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      problems.push({
        file,
        problem: {
          key: "",
          message: `cannot read scenario file: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "it is a directory" : (error as Error).message}`,
          hint: "check the path (it is relative to the working directory)",
        },
      });
      continue;
    }
    const doc = parseDocument(text, { prettyErrors: false });
    if (doc.errors.length) {
      for (const e of doc.errors) {
        problems.push({
          file,
          problem: {
            key: "",
            message: `YAML syntax error: ${e.message.split("\n")[0]}`,
            hint: "fix the YAML",
          },
        });
      }
      continue;
    }
    const raw: unknown = doc.toJS();
    const parsed = kit.scenarioSchema.safeParse(raw);
    if (!parsed.success) {
      for (const problem of zodIssuesToProblems(parsed.error.issues, {
        prefix: "",
        schema: kit.scenarioSchema,
        input: raw,
        defaultHint: "see core's scenario format (scenarioSchema)",
      })) {
        problems.push({ file, problem });
      }
      continue;
    }
    scenarios.push({ file, scenario: parsed.data });
  }
  if (problems.length) {
    for (const { file, problem } of problems) printProblems(io, mode, [problem], file);
    return 1;
  }

  const outDir =
    typeof flags.out === "string"
      ? resolve(io.cwd, flags.out)
      : await mkdtemp(join(tmpdir(), "shipgate-simulate-"));
  await mkdir(outDir, { recursive: true });
  const single = scenarios.length === 1;
  const verbose = flags.verbose === true || single;
  if (mode.json) {
    io.stdout.write(
      `${JSON.stringify({ type: "simulate.started", out: outDir, scenarios: scenarios.length })}\n`,
    );
  } else if (!mode.quiet) {
    io.stdout.write(
      `${c.bold("shipgate simulate")}: ${scenarios.length} scenario${single ? "" : "s"} → ${outDir}\n`,
    );
  }

  const used = new Set<string>();
  let failed = 0;
  let lastExit = 0;
  let lastExpectationFailed = false;
  for (const { file, scenario } of scenarios) {
    const name = scenario.name ?? basename(file, extname(file));
    let dir = slug(name);
    for (let n = 2; used.has(dir); n++) dir = `${slug(name)}-${n}`;
    used.add(dir);
    const root = join(outDir, dir);
    await mkdir(root, { recursive: true });
    const onEvent = (event: ReleaseEvent) => {
      if (mode.json) io.stdout.write(`${JSON.stringify({ scenario: name, ...event })}\n`);
      else if (verbose && !mode.quiet)
        io.stdout.write(`  ${c.dim(`[${clockTime(event.at)}]`)} ${describeEvent(event, c)}\n`);
    };
    const result = await kit.runScenario(scenario, {
      artifacts: createFsArtifactStore({ rootDir: root }),
      onEvent,
    });
    const { outcome, expectation } = result;
    lastExit = outcome.exitCode;
    lastExpectationFailed = !expectation.passed;
    if (!expectation.passed) failed += 1;
    if (mode.json) {
      io.stdout.write(
        `${JSON.stringify({ type: "scenario.result", scenario: name, file, dir: root, passed: expectation.passed, failures: expectation.failures, status: outcome.status, reason: outcome.reason, exitCode: outcome.exitCode, maxWeightReached: outcome.maxWeightReached })}\n`,
      );
      continue;
    }
    const mark = expectation.passed ? c.green("✓") : c.red("✗");
    const facts = `${outcome.status} ${outcome.reason}, exit ${outcome.exitCode}, max ${outcome.maxWeightReached}%`;
    const expectNote = scenario.expect ? "" : c.dim(" (no expect)");
    io.stdout.write(`${mark} ${name.padEnd(28)} ${facts}${expectNote}  ${c.dim(`${dir}/`)}\n`);
    for (const failure of expectation.failures) io.stdout.write(`    ${c.red(failure)}\n`);
  }
  if (!mode.json) {
    const passed = scenarios.length - failed;
    const line = `${scenarios.length} scenario${single ? "" : "s"}: ${passed} passed, ${failed} failed — artifacts in ${outDir}`;
    io.stdout.write(`${failed ? c.red(line) : c.green(line)}\n`);
  }
  if (single) return lastExpectationFailed && lastExit === 0 ? 1 : lastExit;
  return failed > 0 ? 1 : 0;
}
