import { type CallOptions, ShipgateError } from "@shipgate/core";
import { errAsync, okAsync, type ResultAsync } from "neverthrow";
import { z } from "zod";
import { type HelmRunner, runHelm } from "./run-helm.js";

/** One row of `helm history -o json`. */
export const helmRevisionSchema = z.object({
  revision: z.number().int(),
  updated: z.string(),
  status: z.string(),
  chart: z.string(),
  app_version: z.string().optional().default(""),
  description: z.string().optional().default(""),
});

/** One revision of a release, as `helm history` lists it. */
export type HelmRevision = z.output<typeof helmRevisionSchema>;

const statusSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  namespace: z.string().optional(),
  info: z.object({ status: z.string(), description: z.string().optional().default("") }),
  chart: z
    .object({ metadata: z.object({ name: z.string(), version: z.string() }).loose() })
    .loose()
    .optional(),
  manifest: z.string().optional().default(""),
});

/** The parts of `helm status -o json` read here. */
export type HelmStatus = z.output<typeof statusSchema>;

/** Values as JSON objects. */
export type HelmValues = Record<string, unknown>;

/** Reads a dotted values path (`canary.image.tag`). */
export function valueAt(values: HelmValues, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Statuses of a release stuck half-way (helm refuses other operations on it). */
export const PENDING_STATUSES = ["pending-install", "pending-upgrade", "pending-rollback"];

function parseJson<T>(
  schema: z.ZodType<T>,
  text: string,
  request: string,
): ResultAsync<T, ShipgateError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    return errAsync(
      new ShipgateError("invalid_response", `${request} did not print JSON`, { request, cause }),
    );
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? okAsync(parsed.data)
    : errAsync(
        new ShipgateError("invalid_response", `${request} printed an unexpected shape`, {
          request,
          vendorMessage: parsed.error.message,
        }),
      );
}

/** Reads a release's facts through the helm CLI. */
export interface HelmReleaseReader {
  /** `helm history <release> -o json`, oldest first; `null` when the release does not exist. */
  history(release: string, o: CallOptions): ResultAsync<HelmRevision[] | null, ShipgateError>;
  /** `helm status <release> -o json`; `null` when the release does not exist. */
  status(release: string, o: CallOptions): ResultAsync<HelmStatus | null, ShipgateError>;
  /** `helm get values` of a revision (default: the current one); `all` merges the chart's defaults. */
  values(
    release: string,
    o: CallOptions,
    options?: { revision?: number; all?: boolean },
  ): ResultAsync<HelmValues, ShipgateError>;
  /** `helm get manifest <release>`. */
  manifest(release: string, o: CallOptions): ResultAsync<string, ShipgateError>;
}

/** A {@link HelmReleaseReader} over `runner`. */
export function helmReleaseReader(runner: HelmRunner): HelmReleaseReader {
  const missingIsNull = <T>(r: ResultAsync<T, ShipgateError>) =>
    r.orElse((e) =>
      e.kind === "not_found" ? okAsync<T | null, ShipgateError>(null) : errAsync(e),
    );
  return {
    history: (release, { signal }) =>
      missingIsNull(
        runHelm(runner, ["history", release, "--max", "256", "-o", "json"], signal).andThen((out) =>
          parseJson(z.array(helmRevisionSchema), out.stdout, `helm history ${release}`).map(
            (rows) => [...rows].sort((a, b) => a.revision - b.revision),
          ),
        ),
      ),
    status: (release, { signal }) =>
      missingIsNull(
        runHelm(runner, ["status", release, "-o", "json"], signal).andThen((out) =>
          parseJson(statusSchema, out.stdout, `helm status ${release}`),
        ),
      ),
    values: (release, { signal }, options = {}) =>
      runHelm(
        runner,
        [
          "get",
          "values",
          release,
          ...(options.all ? ["--all"] : []),
          ...(options.revision !== undefined ? ["--revision", String(options.revision)] : []),
          "-o",
          "json",
        ],
        signal,
      ).andThen((out) =>
        parseJson(
          z.record(z.string(), z.unknown()).nullable(),
          out.stdout,
          `helm get values ${release}`,
        ).map((v) => v ?? {}),
      ),
    manifest: (release, { signal }) =>
      runHelm(runner, ["get", "manifest", release], signal).map((out) => out.stdout),
  };
}

/** `3 deployed (shop-values-canary-0.1.0, app 1.0): Upgrade complete` — one revision in words. */
export function describeRevision(r: HelmRevision): string {
  return `${r.revision} ${r.status} (${r.chart}${r.app_version ? `, app ${r.app_version}` : ""})${r.description ? `: ${r.description}` : ""}`;
}
