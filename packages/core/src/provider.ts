import type { Result, ResultAsync } from "neverthrow";
import { err, ok } from "neverthrow";
import { z } from "zod";
import type { ApprovalGate } from "./contracts/approval-gate.js";
import type { CiProvider } from "./contracts/ci-provider.js";
import type { Deployer, DeployTarget } from "./contracts/deployer.js";
import type { IncidentSink } from "./contracts/incident-sink.js";
import type { Notifier } from "./contracts/notifier.js";
import type { ReleaseJournal } from "./contracts/release-journal.js";
import type { ReleaseLock } from "./contracts/release-lock.js";
import type { SloSource } from "./contracts/slo-source.js";
import type { SmokeCheck } from "./contracts/smoke-check.js";
import type { SourceControl } from "./contracts/source-control.js";
import { ShipgateError } from "./errors/shipgate-error.js";
import { zodToShipgateError } from "./release/zod-issues.js";
import type { PreparationFinding } from "./verification/preparation-checks.js";

/** The contract implementations one provider package contributes to a stack. */
export interface ProviderParts {
  sourceControl?: SourceControl;
  ci?: CiProvider;
  approvals?: ApprovalGate;
  incidents?: IncidentSink;
  deployer?: Deployer;
  slo?: SloSource;
  notifier?: Notifier;
  lock?: ReleaseLock;
  /** The release journal that lives next to `lock` (used with it when this provider is the lock). */
  journal?: ReleaseJournal;
  smokeChecks?: SmokeCheck[];
  /**
   * Extra preparation checks of what this provider would deploy (e.g. the rendered
   * chart), run with the release's own `preparation` checks and listed with them.
   */
  preparation?: ProviderPreparation;
}

/** A provider's own preparation checks for a release target. */
export type ProviderPreparation = (
  target: DeployTarget,
  signal: AbortSignal,
) => ResultAsync<PreparationFinding[], ShipgateError>;

/** What a provider gets besides its options. */
export interface ProviderContext {
  /** Environment variables; secrets are read from here by name, never from config. */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths in options are resolved against. */
  cwd: string;
}

/**
 * What every adapter package exports as `shipgateProvider`, so the CLI (or any tool) can
 * load and validate it — ours and users' alike — the same way.
 */
export interface ShipgateProvider<S extends z.ZodType = z.ZodType> {
  /** The package name, e.g. `@shipgate/ci-github`. */
  readonly name: string;
  /** Validates the `with:` block of the config (snake_case keys, strict). */
  readonly optionsSchema: S;
  /** Builds the parts from parsed options. Fails (never throws) on a missing secret. */
  create(options: z.output<S>, context: ProviderContext): Result<ProviderParts, ShipgateError>;
}

/** Declares a provider with a typed options schema. */
export function defineProvider<S extends z.ZodType>(
  provider: ShipgateProvider<S>,
): ShipgateProvider<S> {
  return provider;
}

/** Parses raw options against a provider's schema, then creates it; errors name `prefix.key`. */
export function instantiateProvider(
  provider: ShipgateProvider,
  rawOptions: unknown,
  context: ProviderContext,
  prefix = "with",
): Result<ProviderParts, ShipgateError> {
  const parsed = provider.optionsSchema.safeParse(rawOptions ?? {});
  if (!parsed.success)
    return err(zodToShipgateError(parsed.error, prefix, `options for ${provider.name}`));
  try {
    return provider.create(parsed.data, context);
  } catch (cause) {
    return err(
      new ShipgateError("internal", `${provider.name} failed to start: ${String(cause)}`, {
        cause,
      }),
    );
  }
}

/** A zod schema for the *name* of an environment variable holding a secret. */
export const envVarNameSchema = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "must be the NAME of an environment variable (secrets are never written inline)",
  );

/** Reads a secret from the environment by name, or explains which variable is missing. */
export function readSecret(
  context: ProviderContext,
  envName: string,
  field: string,
): Result<string, ShipgateError<"invalid_input">> {
  const value = context.env[envName];
  if (value === undefined || value === "") {
    return err(
      new ShipgateError(
        "invalid_input",
        `Environment variable ${envName} (named by ${field}) is not set`,
        {
          field,
          hint: `Export ${envName} with the credential before running`,
        },
      ),
    );
  }
  return ok(value);
}
