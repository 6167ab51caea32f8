import { resolve } from "node:path";
import {
  type ArtifactStore,
  type Clock,
  createFileReleaseJournal,
  createFsArtifactStore,
  createMarkdownChangelogRenderer,
  createPreparationRunner,
  createSmokeChecks,
  type EnvironmentStack,
  type IncidentSink,
  type Notifier,
  type PreparationRunner,
  type ProviderParts,
  type ProviderPreparation,
  type ReleaseSpec,
  type ReleaseStack,
  type ShipgateProvider,
  type SmokeCheck,
} from "@shipgate/core";
import { ResultAsync } from "neverthrow";
import { builtinProviders } from "./builtin-providers.js";
import type { LoadedConfig, ProviderRef } from "./config-file.js";
import type { ConfigProblem } from "./config-problem.js";
import { withCrashPoint } from "./crash-point.js";
import { createProviderParts, loadProvider } from "./provider-loader.js";
import { simulatedProvider } from "./simulated-provider.js";
import { loadTestingKit } from "./testing-kit.js";

function usesSimulated(config: LoadedConfig["config"]): boolean {
  return Object.values(config).some(
    (v) => typeof v === "object" && v !== null && (v as { use?: unknown }).use === "simulated",
  );
}

/** The single-provider sections and the part each must contribute. */
const SECTIONS = {
  source_control: "sourceControl",
  ci: "ci",
  deployer: "deployer",
  slo: "slo",
  approvals: "approvals",
  lock: "lock",
} as const satisfies Record<string, keyof ProviderParts>;

type Section = keyof typeof SECTIONS;

/** What to add when a section the release needs is missing. */
const MISSING_HINTS: Partial<Record<Section, string>> = {
  ci: 'add `ci: { use: "@shipgate/ci-github", with: { owner: acme, repo: shop, token_env: GITHUB_TOKEN } }` to shipgate.yaml',
  deployer:
    'add `deployer: { use: "@shipgate/deploy-kubernetes", with: { namespace: shop, rollout: checkout } }` to shipgate.yaml',
  slo: 'add `slo: { use: "@shipgate/metrics-prometheus", with: { url: "http://prometheus:9090" } }` to shipgate.yaml',
  approvals:
    'add `approvals: { use: "@shipgate/ci-github", with: { … } }` (a provider with an approval gate), or remove release.approvers',
};

/** Where each part of a built stack came from, for logs and `config validate`. */
export interface ProviderUse {
  key: string;
  provider: string;
  from: string;
}

/** A stack ready for the orchestrator. */
export interface BuiltStack {
  stack: ReleaseStack;
  /** Absolute directory artifacts (reports, incidents, status files, the file lock) go under. */
  artifactsRoot: string;
  providers: ProviderUse[];
}

/** Options of {@link buildReleaseStack}. */
export interface BuildStackOptions {
  loaded: LoadedConfig;
  /** The validated release, when there is one (decides whether approvals are needed, and smoke checks). */
  spec: ReleaseSpec | null;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
  /** Replace the artifact store (the plan writes nothing). */
  artifacts?: ArtifactStore;
}

/**
 * Builds the release stack a config describes: each section's provider loaded and
 * validated (every problem collected, not just the first), the embedded defaults where a
 * section is missing (git source control in the config's directory, the file lock, file
 * incidents, the markdown changelog, fs artifacts under `artifacts_dir`), and a clear
 * problem for a missing section the release cannot do without (ci, deployer, slo).
 */
export async function buildReleaseStack(
  options: BuildStackOptions,
): Promise<{ ok: true; built: BuiltStack } | { ok: false; problems: ConfigProblem[] }> {
  const { loaded, spec } = options;
  const { config, dir } = loaded;
  const artifactsRoot = resolve(dir, config.artifacts_dir);
  const builtins: Record<string, ShipgateProvider> = builtinProviders({ artifactsRoot });
  if (usesSimulated(config)) {
    // Loaded only when a config names it (the demo's, the crash tests').
    const kit = await loadTestingKit();
    if (kit.ok) builtins.simulated = simulatedProvider(kit.kit, options.clock);
  }
  const context = { env: options.env, cwd: dir };
  const problems: ConfigProblem[] = [];
  const providers: ProviderUse[] = [];

  const instantiate = async (key: string, ref: ProviderRef): Promise<ProviderParts | null> => {
    const found = await loadProvider(ref.use, { key: `${key}.use`, configDir: dir, builtins });
    if (!found.ok) {
      problems.push(found.problem);
      return null;
    }
    const created = createProviderParts(found.loaded.provider, ref.with, context, key);
    if (!created.ok) {
      problems.push(...created.problems);
      return null;
    }
    providers.push({ key, provider: found.loaded.provider.name, from: found.loaded.from });
    return created.parts;
  };

  const defaults: Partial<Record<Section, ProviderRef>> = {
    source_control: { use: "git", with: {} },
    lock: { use: "file", with: {} },
  };
  const picked: Partial<ProviderParts> = {};
  let lockParts: ProviderParts | null = null;
  const extraSmoke: SmokeCheck[] = [];
  const extraPreparation: ProviderPreparation[] = [];
  for (const [section, part] of Object.entries(SECTIONS) as [Section, keyof ProviderParts][]) {
    const ref = config[section] ?? defaults[section];
    if (!ref) {
      // With environments, each brings its own deployer and SLO source.
      const byEnvironment =
        (section === "deployer" || section === "slo") &&
        Object.keys(config.environments ?? {}).length > 0;
      const needed =
        section === "ci" ||
        ((section === "deployer" || section === "slo") && !byEnvironment) ||
        (section === "approvals" && (spec?.approvers.length ?? 0) > 0);
      if (needed) {
        problems.push({
          key: section,
          message:
            section === "approvals"
              ? `release.approvers lists ${spec?.approvers.join(", ")} but no approvals provider is configured`
              : `no ${section} provider is configured, and the release cannot run without one`,
          hint: MISSING_HINTS[section] ?? `add a ${section} section`,
        });
      }
      continue;
    }
    const parts = await instantiate(section, ref);
    if (!parts) continue;
    const value = parts[part];
    if (!value) {
      const offered = Object.keys(parts).filter(
        (k) => parts[k as keyof ProviderParts] !== undefined,
      );
      problems.push({
        key: `${section}.use`,
        message: `${ref.use} does not provide a ${part} (it provides: ${offered.join(", ") || "nothing"})`,
        hint: `use a package that provides a ${part} for the ${section} section`,
      });
      continue;
    }
    (picked as Record<string, unknown>)[part] = value;
    if (section === "lock") lockParts = parts;
    // Sections sharing one provider instance share its smoke checks: add each once.
    for (const check of parts.smokeChecks ?? [])
      if (!extraSmoke.includes(check)) extraSmoke.push(check);
    if (parts.preparation && section === "deployer") extraPreparation.push(parts.preparation);
  }

  const environments: Record<string, EnvironmentStack> = {};
  for (const [name, env] of Object.entries(config.environments ?? {})) {
    const key = `environments.${name}`;
    const deployer = await instantiate(`${key}.deployer`, env.deployer);
    const slo = await instantiate(`${key}.slo`, env.slo);
    const lock = env.lock ? await instantiate(`${key}.lock`, env.lock) : null;
    const wanted: [ProviderParts | null, keyof ProviderParts, string, ProviderRef | undefined][] = [
      [deployer, "deployer", "deployer", env.deployer],
      [slo, "slo", "slo", env.slo],
      [lock, "lock", "lock", env.lock],
    ];
    let complete = true;
    for (const [parts, part, section, ref] of wanted) {
      if (!parts || !ref) {
        if (ref) complete = false;
        continue;
      }
      if (!parts[part]) {
        complete = false;
        problems.push({
          key: `${key}.${section}.use`,
          message: `${ref.use} does not provide a ${part}`,
          hint: `use a package that provides a ${part} for ${key}.${section}`,
        });
      }
    }
    if (!complete || !deployer || !slo) continue;
    const own = [
      ...(deployer.smokeChecks ?? []),
      ...(slo.smokeChecks ?? []),
      ...createSmokeChecks(env.smoke_checks, { clock: options.clock, cwd: dir }),
    ];
    environments[name] = {
      deployer: deployer.deployer!,
      slo: slo.slo!,
      ...(lock?.lock ? { lock: lock.lock } : {}),
      ...(own.length ? { smokeChecks: own } : {}),
    };
  }

  /** Each `list` entry's part `part`; an entry that provides none is a problem. */
  const eachPart = async <K extends "incidents" | "notifier">(
    list: "incidents" | "notifiers",
    part: K,
    what: string,
    hint: string,
  ): Promise<NonNullable<ProviderParts[K]>[]> => {
    const found: NonNullable<ProviderParts[K]>[] = [];
    for (const [i, ref] of config[list].entries()) {
      const parts = await instantiate(`${list}[${i}]`, ref);
      if (!parts) continue;
      const value = parts[part];
      if (value) found.push(value);
      else
        problems.push({
          key: `${list}[${i}].use`,
          message: `${ref.use} does not provide ${what}`,
          hint,
        });
    }
    return found;
  };
  const incidents: IncidentSink[] = await eachPart(
    "incidents",
    "incidents",
    "an incident sink",
    'use e.g. "@shipgate/incident-pagerduty" (file incidents are always written)',
  );
  const notifiers: Notifier[] = await eachPart(
    "notifiers",
    "notifier",
    "a notifier",
    'use e.g. "@shipgate/notify-slack"',
  );
  if (problems.length > 0) return { ok: false, problems };

  const smokeChecks = [
    ...(spec ? createSmokeChecks(spec.smoke_checks, { clock: options.clock, cwd: dir }) : []),
    ...extraSmoke,
  ];
  const stack: ReleaseStack = {
    sourceControl: picked.sourceControl!,
    ci: picked.ci!,
    // A config with only environments: a single-environment field is never used for them.
    deployer: picked.deployer ?? Object.values(environments)[0]!.deployer,
    slo: picked.slo ?? Object.values(environments)[0]!.slo,
    lock: picked.lock!,
    // The journal lives next to the lock, so whoever takes the lock over can read it.
    journal: withCrashPoint(
      (lockParts as ProviderParts | null)?.journal ??
        createFileReleaseJournal({ rootDir: artifactsRoot }),
      options.env,
    ),
    approvals: picked.approvals,
    changelog: createMarkdownChangelogRenderer(),
    clock: options.clock,
    artifacts: options.artifacts ?? createFsArtifactStore({ rootDir: artifactsRoot }),
    incidents,
    notifiers,
    smokeChecks,
    prepare: withProviderPreparation(createPreparationRunner({ cwd: dir }), spec, extraPreparation),
    ...(Object.keys(environments).length ? { environments } : {}),
  };
  return { ok: true, built: { stack, artifactsRoot, providers } };
}

/** Adds the deployer's own preparation findings (e.g. the rendered chart) after core's. */
function withProviderPreparation(
  runner: PreparationRunner,
  spec: ReleaseSpec | null,
  hooks: readonly ProviderPreparation[],
): PreparationRunner {
  if (!spec || hooks.length === 0) return runner;
  const target = {
    service: spec.service,
    environment: spec.environment,
    version: spec.version,
    sha: spec.sha,
  };
  return (preparation, signal) =>
    runner(preparation, signal).andThen((report) =>
      ResultAsync.combine(hooks.map((hook) => hook(target, signal))).map((extra) => {
        const findings = [...report.findings, ...extra.flat()];
        return { ok: !findings.some((f) => !f.passed && f.blocking), findings };
      }),
    );
}
