import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  instantiateProvider,
  type ProviderContext,
  type ProviderParts,
  type ShipgateProvider,
} from "@shipgate/core";
import type { ConfigProblem } from "./config-problem.js";
import { didYouMean } from "./did-you-mean.js";
import { resolvePackage } from "./package-resolver.js";
import { zodIssuesToProblems } from "./zod-problems.js";

/** The adapter packages shipgate publishes, for "did you mean" on a mistyped `use:`. */
export const KNOWN_ADAPTERS = [
  "@shipgate/ci-github",
  "@shipgate/ci-gitlab",
  "@shipgate/ci-azure",
  "@shipgate/deploy-kubernetes",
  "@shipgate/deploy-helm",
  "@shipgate/metrics-prometheus",
  "@shipgate/metrics-datadog",
  "@shipgate/metrics-cloudwatch",
  "@shipgate/incident-pagerduty",
  "@shipgate/notify-slack",
] as const;

/** A provider found for a `use:`, and where it came from. */
export interface LoadedProvider {
  provider: ShipgateProvider;
  /** The file it was imported from, or `built-in`. */
  from: string;
}

const isPath = (use: string) =>
  use.startsWith("./") || use.startsWith("../") || isAbsolute(use) || use.startsWith("file:");

function isProvider(value: unknown): value is ShipgateProvider {
  if (value === null || typeof value !== "object") return false;
  const p = value as Record<string, unknown>;
  const schema = p.optionsSchema as { safeParse?: unknown } | undefined;
  return (
    typeof p.name === "string" &&
    typeof p.create === "function" &&
    typeof schema === "object" &&
    schema !== null &&
    typeof schema.safeParse === "function"
  );
}

/**
 * Loads the `shipgateProvider` a `use:` names — a built-in (`git`, `file`), a package
 * resolved from the config file's directory (then from the CLI's own), or a path relative
 * to the config file (`./my-adapter.mjs`). Ours and users' adapters load the same way.
 */
export async function loadProvider(
  use: string,
  options: {
    /** The config key of the `use:` (`ci.use`), for messages. */
    key: string;
    configDir: string;
    builtins: Readonly<Record<string, ShipgateProvider>>;
  },
): Promise<{ ok: true; loaded: LoadedProvider } | { ok: false; problem: ConfigProblem }> {
  const builtin = options.builtins[use];
  if (builtin) return { ok: true, loaded: { provider: builtin, from: "built-in" } };

  let url: string | null = null;
  let resolvedFile: string | null = null;
  if (isPath(use)) {
    resolvedFile = use.startsWith("file:")
      ? new URL(use).pathname
      : resolve(options.configDir, use);
    url = pathToFileURL(resolvedFile).href;
  } else {
    resolvedFile = await resolvePackage(use, options.configDir);
    url = resolvedFile ? pathToFileURL(resolvedFile).href : use;
  }

  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const notFound =
      code === "ERR_MODULE_NOT_FOUND" && String((error as Error).message).includes(use);
    if (notFound || (code === "ERR_MODULE_NOT_FOUND" && !resolvedFile)) {
      const near = didYouMean(use, [...KNOWN_ADAPTERS, ...Object.keys(options.builtins)]);
      return {
        ok: false,
        problem: {
          key: options.key,
          message: isPath(use)
            ? `cannot find ${use} (looked for ${resolvedFile})`
            : `cannot find package ${JSON.stringify(use)} from ${options.configDir}${near && near !== use ? ` (did you mean "${near}"?)` : ""}`,
          hint: isPath(use)
            ? "paths are relative to the config file; check the file exists"
            : near && near !== use
              ? `fix the name, or install it next to shipgate.yaml: npm install ${near}`
              : `install it next to shipgate.yaml: npm install ${use}`,
        },
      };
    }
    return {
      ok: false,
      problem: {
        key: options.key,
        message: `${use} failed to load: ${String((error as Error).message ?? error).split("\n")[0]}`,
        hint: "check the package is built and installed for this Node version",
      },
    };
  }
  const provider =
    module.shipgateProvider ??
    (module.default as Record<string, unknown> | undefined)?.shipgateProvider;
  if (!isProvider(provider)) {
    return {
      ok: false,
      problem: {
        key: options.key,
        message: `${use} does not export a \`shipgateProvider\` (with name, optionsSchema and create)`,
        hint: "point use: at a shipgate adapter, or export `shipgateProvider = defineProvider({...})` from your module",
      },
    };
  }
  return { ok: true, loaded: { provider, from: resolvedFile ?? use } };
}

/**
 * Validates a `with:` block against the provider's own schema (every problem, unknown keys
 * with "did you mean"), then creates its parts. Problems name `section.with.key`.
 */
export function createProviderParts(
  provider: ShipgateProvider,
  rawOptions: Record<string, unknown>,
  context: ProviderContext,
  key: string,
): { ok: true; parts: ProviderParts } | { ok: false; problems: ConfigProblem[] } {
  const parsed = provider.optionsSchema.safeParse(rawOptions);
  if (!parsed.success) {
    return {
      ok: false,
      problems: zodIssuesToProblems(parsed.error.issues, {
        prefix: `${key}.with`,
        schema: provider.optionsSchema,
        input: rawOptions,
        defaultHint: `see the options of ${provider.name} in its README`,
      }),
    };
  }
  // Core's instantiateProvider is the authority (it parses again and catches a throwing create).
  const created = instantiateProvider(provider, rawOptions, context, `${key}.with`);
  if (created.isErr()) {
    const e = created.error;
    const field = e.field ? (e.field.startsWith(`${key}.`) ? e.field : `${key}.${e.field}`) : key;
    return {
      ok: false,
      problems: [
        { key: field, message: e.message, hint: e.hint ?? `check the options of ${provider.name}` },
      ],
    };
  }
  return { ok: true, parts: created.value };
}
