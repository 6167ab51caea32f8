import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type BacktestRelease,
  type BacktestReport,
  backtest,
  createFsArtifactStore,
  parseBacktestPolicy,
  readReleaseHistory,
  type SloSource,
} from "@shipgate/core";
import { parse } from "yaml";
import { builtinProviders } from "./builtin-providers.js";
import { type CliIo, outputMode, printProblems } from "./cli-io.js";
import { loadConfigFile, type ProviderRef, readConfigText } from "./config-file.js";
import type { ConfigProblem } from "./config-problem.js";
import { createProviderParts, loadProvider } from "./provider-loader.js";
import { DEFAULT_CONFIG } from "./release-setup.js";

function parseLast(
  value: unknown,
): { ok: true; last: number } | { ok: false; problem: ConfigProblem } {
  const n = Number(value);
  if (typeof value !== "string" || !/^\d+$/.test(value) || n < 1) {
    return {
      ok: false,
      problem: {
        key: "--last",
        message: `must be a whole number of releases, got ${JSON.stringify(value)}`,
        hint: "e.g. --last 50",
      },
    };
  }
  return { ok: true, last: n };
}

function parseSince(
  value: unknown,
): { ok: true; since: Date } | { ok: false; problem: ConfigProblem } {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    return {
      ok: false,
      problem: {
        key: "--since",
        message: `must be a date, got ${JSON.stringify(value)}`,
        hint: "e.g. --since 2026-10-01",
      },
    };
  }
  return { ok: true, since: new Date(ms) };
}

async function loadCandidate(
  path: string,
  cwd: string,
): Promise<{ ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] }> {
  const read = await readConfigText(path, cwd);
  if (!read.ok) {
    return {
      ok: false,
      problems: [
        {
          ...read.problem,
          message: read.problem.message.replace("config", "candidate policy"),
          hint: "pass --policy <candidate.yaml>",
        },
      ],
    };
  }
  try {
    return { ok: true, value: parse(read.text) ?? {} };
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          key: "",
          message: `YAML syntax error: ${String((error as Error).message).split("\n")[0]}`,
          hint: "fix the YAML",
        },
      ],
    };
  }
}

const DECISION_THEN: Record<BacktestRelease["actual"]["decision"], string> = {
  promoted: "promoted",
  rolled_back: "rolled back",
  stopped: "stopped",
  unknown: "unknown",
};

function at(step: BacktestRelease["candidate"]["step"], minute: number | null): string {
  if (!step) return "—";
  const where = step.phase === "stabilization" ? "stabilization" : `${step.weight}%`;
  return minute === null ? where : `${where} min ${minute}`;
}

function signedMinutes(m: number | null): string {
  if (m === null) return "—";
  return m > 0 ? `+${m}` : String(m);
}

/** The backtest as a table and totals, for a terminal or a file. */
export function renderBacktestTable(report: BacktestReport): string {
  const rows = report.releases.map((r) => [
    `${r.service} ${r.version}`,
    r.started.slice(0, 16).replace("T", " "),
    `${DECISION_THEN[r.actual.decision]}${r.actual.decision === "promoted" ? "" : ` (${at(r.actual.step, r.actual.minute)})`}`,
    `${r.candidate.decision.replace("_", " ")}${r.changed ? " *" : ""}`,
    at(r.candidate.step, r.candidate.minute),
    signedMinutes(r.minutes_delta),
    r.data === "recorded" ? `${r.candidate.why} [recorded polls]` : r.candidate.why,
  ]);
  const head = ["release", "started (UTC)", "then", "candidate", "at", "Δ min", "why"];
  const widths = head.map((h, i) =>
    i === head.length - 1 ? 0 : Math.max(h.length, ...rows.map((r) => r[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const t = report.totals;
  const out = [
    `Backtest: ${t.releases} release(s), judge ${report.judge}, SLO source ${report.slo_source}, polls every ${report.poll_interval_seconds} s`,
    "",
    line(head),
    ...rows.map(line),
    "",
    `would roll back: ${t.would_roll_back}   would promote: ${t.would_promote}   would continue past where it stopped: ${t.would_continue}   undecided: ${t.undecided}   no data: ${t.no_data}`,
    `changed decisions (*): ${t.changed} (promoted then, rolled back now: ${t.promoted_then_rolled_back_now}; rolled back then, not now: ${t.rolled_back_then_not_now})`,
    `canary minutes saved: ${t.minutes_saved}   added: ${t.minutes_added}`,
  ];
  return `${out.join("\n")}\n`;
}

/**
 * `shipgate backtest`: reads the config, the candidate policy and the history, asks the
 * configured SLO source, and prints (or writes to `--out`) what the candidate would have
 * decided. Reads only; writes nothing but `--out`.
 */
export async function runBacktestCommand(
  flags: Record<string, unknown>,
  io: CliIo,
): Promise<number> {
  const mode = outputMode(io, flags);
  const problems: ConfigProblem[] = [];
  if (flags.last !== undefined && flags.since !== undefined) {
    problems.push({
      key: "--last",
      message: "give --last or --since, not both",
      hint: "e.g. --last 50 or --since 2026-10-01",
    });
  }
  const last = flags.last !== undefined ? parseLast(flags.last) : ({ ok: true, last: 50 } as const);
  if (!last.ok) problems.push(last.problem);
  const since = flags.since !== undefined ? parseSince(flags.since) : null;
  if (since && !since.ok) problems.push(since.problem);
  if (problems.length) {
    printProblems(io, mode, problems);
    return 1;
  }
  const configPath = typeof flags.config === "string" ? flags.config : DEFAULT_CONFIG;
  const loaded = await loadConfigFile(configPath, { cwd: io.cwd });
  if (!loaded.ok) {
    printProblems(io, mode, loaded.problems, configPath);
    return 1;
  }
  const { config, dir } = loaded.loaded;
  const current = parseBacktestPolicy({ release: config.release });
  let policyInput: unknown = { release: config.release };
  let where = configPath;
  if (typeof flags.policy === "string") {
    const candidate = await loadCandidate(flags.policy, io.cwd);
    if (!candidate.ok) {
      printProblems(io, mode, candidate.problems, flags.policy);
      return 1;
    }
    policyInput = candidate.value;
    where = flags.policy;
  } else if (current.isErr()) {
    printProblems(
      io,
      mode,
      [
        {
          key: current.error.field ?? "release",
          message: current.error.message,
          hint: "give release.slo in the config, or pass --policy <candidate.yaml>",
        },
      ],
      configPath,
    );
    return 1;
  }
  const policy = parseBacktestPolicy(policyInput);
  if (policy.isErr()) {
    const e = policy.error;
    const list = (e.details?.problems as string[] | undefined) ?? [e.message];
    printProblems(
      io,
      mode,
      list.map((message) => ({ key: "", message, hint: "fix the candidate policy" })),
      where,
    );
    return 1;
  }

  if (!config.slo) {
    printProblems(
      io,
      mode,
      [
        {
          key: "slo",
          message: "no slo provider is configured: a backtest asks it for the past windows",
          hint: 'add `slo: { use: "@shipgate/metrics-prometheus", with: { url: "http://prometheus:9090" } }`',
        },
      ],
      configPath,
    );
    return 1;
  }
  const artifactsRoot = resolve(dir, config.artifacts_dir);
  /** The SLO source a provider reference builds, or null after printing why not. */
  const sloSourceOf = async (key: string, ref: ProviderRef): Promise<SloSource | null> => {
    const found = await loadProvider(ref.use, {
      key: `${key}.use`,
      configDir: dir,
      builtins: builtinProviders({ artifactsRoot }),
    });
    if (!found.ok) {
      printProblems(io, mode, [found.problem], configPath);
      return null;
    }
    const parts = createProviderParts(
      found.loaded.provider,
      ref.with,
      { env: io.env, cwd: dir },
      key,
    );
    if (!parts.ok || !parts.parts.slo) {
      printProblems(
        io,
        mode,
        parts.ok
          ? [{ key: `${key}.use`, message: `${ref.use} does not provide an SLO source` }]
          : parts.problems,
        configPath,
      );
      return null;
    }
    return parts.parts.slo;
  };
  const slo = await sloSourceOf("slo", config.slo);
  if (!slo) return 1;
  // A release with waves: each environment's past canaries are asked of its own source.
  const environmentSlo: Record<string, SloSource> = {};
  for (const [name, env] of Object.entries(config.environments ?? {})) {
    const source = await sloSourceOf(`environments.${name}.slo`, env.slo);
    if (!source) return 1;
    environmentSlo[name] = source;
  }

  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const store = createFsArtifactStore({ rootDir: artifactsRoot });
    const service = typeof config.release.service === "string" ? config.release.service : undefined;
    const environment =
      typeof config.release.environment === "string" ? config.release.environment : undefined;
    // With waves, the history lists each environment's canary under the environment's name.
    const environments = new Set([
      ...(environment ? [environment] : []),
      ...Object.keys(environmentSlo),
    ]);
    const history = await readReleaseHistory(
      store,
      {
        ...(service ? { service } : {}),
        ...(environments.size ? { environment: [...environments] } : {}),
        ...(since?.ok ? { since: since.since } : { last: last.ok ? last.last : 50 }),
      },
      { signal: controller.signal },
    );
    if (history.isErr()) {
      printProblems(
        io,
        mode,
        [
          {
            key: history.error.field ?? "",
            message: history.error.describe(),
            hint: "check the artifacts directory (artifacts_dir in the config)",
          },
        ],
        configPath,
      );
      return 1;
    }
    const result = await backtest(history.value, policy.value, slo, {
      signal: controller.signal,
      environmentSlo,
    });
    if (result.isErr()) {
      printProblems(
        io,
        mode,
        [
          {
            key: "slo",
            message: result.error.describe(),
            hint: result.error.hint ?? "check the SLO source and try again",
          },
        ],
        configPath,
      );
      return 1;
    }
    const text = mode.json
      ? `${JSON.stringify(result.value, null, 2)}\n`
      : renderBacktestTable(result.value);
    if (typeof flags.out === "string") {
      const target = resolve(io.cwd, flags.out);
      try {
        await writeFile(target, text, { flag: "wx" });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        printProblems(io, mode, [
          {
            key: "--out",
            message:
              code === "EEXIST"
                ? `${flags.out} exists already (a backtest never overwrites)`
                : `cannot write ${flags.out}: ${String((error as Error).message)}`,
            hint: "choose another --out path",
          },
        ]);
        return 1;
      }
      if (!mode.quiet) io.stderr.write(`backtest written to ${flags.out}\n`);
      return 0;
    }
    io.stdout.write(text);
    return 0;
  } finally {
    process.removeListener("SIGINT", onInterrupt);
  }
}
