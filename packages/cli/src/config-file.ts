import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { smokeCheckSpecSchema } from "@shipgate/core";
import { isMap, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { ConfigProblem } from "./config-problem.js";
import { findInlineSecrets } from "./inline-secrets.js";
import { zodIssuesToProblems } from "./zod-problems.js";

/** One provider section: the package (or path) to load and the options it validates itself. */
export const providerRefSchema = z.strictObject({
  /** An npm package (`@shipgate/ci-github`), a path (`./my-adapter.mjs`) or a built-in (`git`, `file`). */
  use: z
    .string({ error: 'must name a package, e.g. use: "@shipgate/ci-github"' })
    .min(1, 'must name a package, e.g. use: "@shipgate/ci-github"'),
  /** Options, validated by the provider's own schema. */
  with: z
    .record(z.string(), z.unknown(), { error: "must be a mapping of options" })
    .nullable()
    .optional()
    .transform((v) => v ?? {}),
});

/** A provider section as parsed. */
export type ProviderRef = z.output<typeof providerRefSchema>;

/**
 * One environment of a release with waves (`release.waves`): its own deployer and SLO
 * source, optionally its own lock (a Lease in its cluster), taken beside the service's
 * release lock, and its own smoke checks (the release's `smoke_checks` format), run in
 * that environment after the release's own.
 */
export const environmentConfigSchema = z.strictObject({
  deployer: providerRefSchema,
  slo: providerRefSchema,
  lock: providerRefSchema.optional(),
  smoke_checks: z.array(smokeCheckSpecSchema).default([]),
});

/** An environment section as parsed. */
export type EnvironmentConfig = z.output<typeof environmentConfigSchema>;

/**
 * `shipgate.yaml`. The `release` block has the keys of the release input (validated by
 * core's `releaseSpecSchema` once flags are merged in); each other section names a provider.
 */
export const shipgateConfigSchema = z.strictObject({
  release: z
    .record(z.string(), z.unknown(), { error: "must be a mapping with the release keys" })
    .nullable()
    .optional()
    .transform((v) => v ?? {}),
  /** Where reports, incidents, status files and the file lock go, relative to this file. */
  artifacts_dir: z.string().min(1).default("."),
  source_control: providerRefSchema.optional(),
  ci: providerRefSchema.optional(),
  deployer: providerRefSchema.optional(),
  slo: providerRefSchema.optional(),
  approvals: providerRefSchema.optional(),
  lock: providerRefSchema.optional(),
  incidents: z.array(providerRefSchema).default([]),
  notifiers: z.array(providerRefSchema).default([]),
  /** The environments `release.waves` names, by name (`prod-us-east-1: { deployer, slo }`). */
  environments: z
    .record(
      z
        .string()
        .regex(
          /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i,
          'an environment name may only contain letters, digits, ".", "_" and "-"',
        ),
      environmentConfigSchema,
      { error: "must be a mapping of environment name → { deployer, slo, lock?, smoke_checks? }" },
    )
    .optional(),
});

/** The parsed config file. */
export type ShipgateConfig = z.output<typeof shipgateConfigSchema>;

/** A config file that parsed, with where it lives (relative paths in it resolve from `dir`). */
export interface LoadedConfig {
  /** Absolute path of the file, or null when there was none (flags only). */
  path: string | null;
  /** The file's directory (or the working directory): the base of every relative path. */
  dir: string;
  config: ShipgateConfig;
}

/** What {@link loadConfigFile} returns: the config, or every problem found. */
export type ConfigLoad =
  | { ok: true; loaded: LoadedConfig }
  | { ok: false; path: string; problems: ConfigProblem[] };

/**
 * Reads, parses and checks `shipgate.yaml`: YAML syntax, inline secrets, unknown keys
 * (with a "did you mean") and types — and reports every problem at once rather than the
 * first. `optional: true` turns a missing file into an empty config (flags only).
 */
export async function loadConfigFile(
  path: string,
  options: { cwd: string; optional?: boolean },
): Promise<ConfigLoad> {
  const read = await readConfigText(path, options.cwd);
  if (!read.ok) {
    if (read.code === "ENOENT" && options.optional) {
      return {
        ok: true,
        loaded: { path: null, dir: options.cwd, config: shipgateConfigSchema.parse({}) },
      };
    }
    return { ok: false, path: read.absolute, problems: [read.problem] };
  }
  const checked = checkConfigText(read.text);
  if (!checked.config) return { ok: false, path: read.absolute, problems: checked.problems };
  return {
    ok: true,
    loaded: { path: read.absolute, dir: dirname(read.absolute), config: checked.config },
  };
}

/** What {@link checkConfigText} found. */
export interface ConfigCheck {
  /** The YAML as plain data (null when it did not parse). */
  raw: unknown;
  /** The parsed config, when there were no problems. */
  config: ShipgateConfig | null;
  problems: ConfigProblem[];
}

/**
 * Checks config text: YAML syntax (then stops), inline secrets, unknown keys and types —
 * every problem, in file order where possible.
 */
export function checkConfigText(text: string): ConfigCheck {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      raw: null,
      config: null,
      problems: doc.errors.map((e) => {
        const at = e.pos ? lineCounter.linePos(e.pos[0]) : null;
        return {
          key: at ? `line ${at.line}, column ${at.col}` : "",
          message: `YAML syntax error: ${e.message.split("\n")[0]}`,
          hint: "fix the YAML (indent with spaces, quote values containing `: ` or ` #`)",
        };
      }),
    };
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    return {
      raw: null,
      config: null,
      problems: [
        {
          key: "",
          message: "the config must be a YAML mapping (release:, ci:, deployer:, …)",
          hint: "see the README for an example shipgate.yaml",
        },
      ],
    };
  }
  const raw: unknown = doc.contents === null ? {} : doc.toJS();
  const problems = findInlineSecrets(raw);
  const result = shipgateConfigSchema.safeParse(raw);
  if (!result.success) {
    problems.push(
      ...zodIssuesToProblems(result.error.issues, {
        prefix: "",
        schema: shipgateConfigSchema,
        input: raw,
        defaultHint: "fix it in the config file",
      }),
    );
  }
  return { raw, config: result.success && problems.length === 0 ? result.data : null, problems };
}

/** Reads a config file's text, or the problem saying why it cannot be read. */
export async function readConfigText(
  path: string,
  cwd: string,
): Promise<
  | { ok: true; absolute: string; text: string }
  | { ok: false; absolute: string; code: string | undefined; problem: ConfigProblem }
> {
  const absolute = resolve(cwd, path);
  try {
    return { ok: true, absolute, text: await readFile(absolute, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : String((error as Error).message);
    return {
      ok: false,
      absolute,
      code,
      problem: {
        key: "",
        message: `cannot read config ${path}: ${why}`,
        hint:
          code === "ENOENT"
            ? "create shipgate.yaml (see the README) or pass --config <path>"
            : "check the path and its permissions, or pass --config <path>",
      },
    };
  }
}
