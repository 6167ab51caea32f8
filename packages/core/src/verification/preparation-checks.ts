import { readFile, realpath } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { err, ok, type Result, ResultAsync } from "neverthrow";
import { parseAllDocuments } from "yaml";
import type { ConfigInventory, ConfigInventoryKind } from "../contracts/config-inventory.js";
import { abortedError, type ShipgateError, toShipgateError } from "../errors/shipgate-error.js";
import type { PreparationFinding, PreparationReport } from "../model/preparation-report.js";
import type { MigrationSpec, PreparationSpec } from "../model/release-spec.js";

export type { PreparationFinding, PreparationReport } from "../model/preparation-report.js";

/** Dependencies of {@link runPreparationChecks}. */
export interface PreparationCheckDeps {
  /** Manifest paths are resolved against this directory and may not leave it. */
  cwd: string;
  inventory: ConfigInventory;
  signal: AbortSignal;
}

/** A manifest bigger than this is not a hand-kept Kubernetes manifest; refuse rather than parse it. */
const MAX_MANIFEST_BYTES = 5 * 1024 * 1024;
/** Enough problems to act on; a broken file would otherwise flood the report. */
const MAX_PROBLEMS_PER_MANIFEST = 5;

/**
 * Runs the preparation checks of a release spec, before anything changes:
 *
 * - every listed manifest is inside `cwd`, parses as YAML (all documents), and each
 *   non-empty document is a Kubernetes object with string `apiVersion`, `kind` and
 *   `metadata.name` (items of a `kind: List` are checked the same way);
 * - every `required_config` / `required_secrets` name exists in `inventory` (by name only);
 * - every migration passes {@link assessMigration}.
 *
 * Findings come in that order, one per manifest, name and migration. Failed manifest,
 * config and secret findings block; an inventory that cannot be asked fails closed (a
 * blocking finding). Only the caller's abort, or a bug, is an error.
 *
 * @example
 * ```ts
 * const report = await runPreparationChecks(spec.preparation, {
 *   cwd: process.cwd(), inventory: createEnvConfigInventory(), signal,
 * });
 * if (report.isOk() && !report.value.ok) {
 *   for (const f of report.value.findings.filter((f) => !f.passed)) console.error(f.message);
 * }
 * ```
 */
export function runPreparationChecks(
  spec: PreparationSpec,
  deps: PreparationCheckDeps,
): ResultAsync<PreparationReport, ShipgateError> {
  const run = async (): Promise<Result<PreparationReport, ShipgateError>> => {
    const { signal } = deps;
    const findings: PreparationFinding[] = [];
    for (const path of spec.manifests) {
      if (signal.aborted) return err(abortedError(signal));
      findings.push(await checkManifest(path, deps.cwd, signal));
    }
    const names: [ConfigInventoryKind, string][] = [
      ...spec.required_config.map((n): [ConfigInventoryKind, string] => ["config", n]),
      ...spec.required_secrets.map((n): [ConfigInventoryKind, string] => ["secret", n]),
    ];
    for (const [kind, name] of names) {
      if (signal.aborted) return err(abortedError(signal));
      const has = await deps.inventory.has(kind, name, { signal });
      if (has.isErr()) {
        if (has.error.kind === "aborted" || signal.aborted) return err(abortedError(signal));
        findings.push({
          check: kind,
          subject: name,
          passed: false,
          blocking: true,
          message: `could not check ${kind} ${name} in ${deps.inventory.name}: ${has.error.message}`,
        });
      } else {
        findings.push({
          check: kind,
          subject: name,
          passed: has.value,
          blocking: true,
          message: has.value
            ? `${kind} ${name} exists in ${deps.inventory.name}`
            : `${kind} ${name} is missing from ${deps.inventory.name}: create it before releasing`,
        });
      }
    }
    findings.push(...spec.migrations.map(assessMigration));
    return ok({ ok: !findings.some((f) => !f.passed && f.blocking), findings });
  };
  return new ResultAsync(
    run().then(
      (r) => r,
      (thrown: unknown) => err(toShipgateError(thrown, "Preparation checks failed unexpectedly")),
    ),
  );
}

/**
 * The release policy for one declared migration (pure, so it can be property-tested):
 *
 * - destructive, unless `reversible` with `rollback_tested` → a blocking failure: once
 *   data is dropped, rolling the app back does not bring it back;
 * - `forward_only`, not destructive → passes, with a reminder that the previous app
 *   version must keep working on the new schema;
 * - `reversible` without `rollback_tested` → passes with a warning.
 *
 * @example
 * ```ts
 * assessMigration({ name: "0042_drop_orders_legacy", kind: "forward_only", destructive: true, rollback_tested: false });
 * // { check: "migration", passed: false, blocking: true, message: "migration 0042_drop_orders_legacy is destructive and has no tested rollback: …" }
 * ```
 */
export function assessMigration(m: MigrationSpec): PreparationFinding {
  const base = { check: "migration" as const, subject: m.name };
  const safeRollback = m.kind === "reversible" && m.rollback_tested;
  if (m.destructive && !safeRollback) {
    const fix =
      m.kind === "reversible"
        ? "test its down migration (e.g. in staging) and set rollback_tested: true, or split it into an expand/contract pair"
        : "add a reversible down migration and test it, or split it into an expand/contract pair";
    return {
      ...base,
      passed: false,
      blocking: true,
      message: `migration ${m.name} is destructive and has no tested rollback: ${fix}`,
    };
  }
  if (m.destructive) {
    return {
      ...base,
      passed: true,
      blocking: true,
      message: `migration ${m.name}: destructive, reversible, rollback tested`,
    };
  }
  if (m.kind === "forward_only") {
    return {
      ...base,
      passed: true,
      blocking: false,
      message: `migration ${m.name}: forward-only: rollback of the app must stay compatible with the new schema`,
    };
  }
  if (!m.rollback_tested) {
    return {
      ...base,
      passed: true,
      blocking: false,
      message: `migration ${m.name}: warning: reversible but its rollback has not been tested`,
    };
  }
  return {
    ...base,
    passed: true,
    blocking: false,
    message: `migration ${m.name}: reversible, rollback tested`,
  };
}

async function checkManifest(
  path: string,
  cwd: string,
  signal: AbortSignal,
): Promise<PreparationFinding> {
  const finding = (passed: boolean, message: string): PreparationFinding => ({
    check: "manifest",
    subject: path,
    passed,
    blocking: true,
    message: `manifest ${path}: ${message}`,
  });
  if (isAbsolute(path)) return finding(false, "must be a path relative to the working directory");
  const root = resolve(cwd);
  const full = resolve(root, path);
  if (escapes(root, full)) return finding(false, "points outside the working directory");

  let text: string;
  try {
    // A symlink could still lead outside: compare real paths too.
    const [realRoot, realFull] = await Promise.all([realpath(root), realpath(full)]);
    if (escapes(realRoot, realFull))
      return finding(false, "resolves (through a symlink) outside the working directory");
    const buffer = await readFile(realFull, { signal });
    if (buffer.byteLength > MAX_MANIFEST_BYTES) {
      return finding(false, `is larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    text = buffer.toString("utf8");
  } catch (thrown) {
    if (signal.aborted) throw thrown;
    const code = (thrown as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return finding(false, "not found");
    if (code === "EISDIR") return finding(false, "is a directory, not a file");
    return finding(false, `cannot be read (${code ?? (thrown as Error).message})`);
  }

  const problems = manifestProblems(text);
  if (typeof problems === "string") return finding(true, problems);
  const shown = problems.slice(0, MAX_PROBLEMS_PER_MANIFEST);
  const more = problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
  return finding(false, shown.join("; ") + more);
}

/**
 * The manifest check of {@link runPreparationChecks} on text that is not a file — e.g. what
 * `helm template` rendered: every document parses as YAML and is a Kubernetes object.
 * `subject` names it in the finding (e.g. `helm template shop`).
 */
export function checkManifestText(text: string, subject: string): PreparationFinding {
  const problems = manifestProblems(text);
  const passed = typeof problems === "string";
  const shown = passed ? [] : problems.slice(0, MAX_PROBLEMS_PER_MANIFEST);
  const more =
    !passed && problems.length > shown.length ? `; and ${problems.length - shown.length} more` : "";
  return {
    check: "manifest",
    subject,
    passed,
    blocking: true,
    message: `manifest ${subject}: ${passed ? problems : shown.join("; ") + more}`,
  };
}

function escapes(root: string, full: string): boolean {
  const rel = relative(root, full);
  return rel === "" ? false : rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/**
 * The problems of a multi-document manifest, or (when there are none) a one-line summary
 * of the objects it declares. Documents are numbered from 1 as they appear in the file.
 */
function manifestProblems(text: string): string[] | string {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const problems: string[] = [];
  const objects: string[] = [];
  documents.forEach((doc, index) => {
    const label = `document ${index + 1}`;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const at = e.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : "";
        // yaml's message already ends in " at line L, column C:" plus a code frame; keep the reason only.
        const reason = (e.message.split("\n")[0] ?? e.message).replace(
          / at line \d+, column \d+:?$/,
          "",
        );
        problems.push(`${label}: invalid YAML${where}: ${reason}`);
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (thrown) {
      // e.g. an alias bomb past yaml's maxAliasCount
      problems.push(`${label}: cannot be converted: ${(thrown as Error).message}`);
      return;
    }
    if (value === null || value === undefined) return;
    // Point at the object's first line, not at the `---` before it.
    const line = lineOf(text, doc.contents?.range?.[0] ?? doc.range[0]);
    const object = kubernetesObjectProblem(value, `${label} (line ${line})`);
    if (object.problem) problems.push(object.problem);
    else objects.push(...object.names);
  });
  if (problems.length > 0) return problems;
  if (objects.length === 0) return ["contains no Kubernetes objects"];
  const list = objects.length > 5 ? `${objects.slice(0, 5).join(", ")}, …` : objects.join(", ");
  return `${objects.length} object${objects.length === 1 ? "" : "s"} (${list})`;
}

/** Checks one parsed document; `names` are `Kind/name` for the summary. */
function kubernetesObjectProblem(
  value: unknown,
  label: string,
): { problem?: string; names: string[] } {
  if (!isPlainObject(value)) {
    return {
      problem: `${label} is ${describeType(value)}, not a Kubernetes object (a mapping)`,
      names: [],
    };
  }
  const missing: string[] = [];
  if (typeof value.apiVersion !== "string" || value.apiVersion === "") missing.push("apiVersion");
  if (typeof value.kind !== "string" || value.kind === "") missing.push("kind");
  // A List carries its objects in `items` and has no name of its own.
  if (value.kind === "List" && Array.isArray(value.items) && missing.length === 0) {
    const names: string[] = [];
    const problems: string[] = [];
    value.items.forEach((item, i) => {
      const r = kubernetesObjectProblem(item, `${label} item ${i + 1}`);
      if (r.problem) problems.push(r.problem);
      names.push(...r.names);
    });
    return problems.length > 0 ? { problem: problems.join("; "), names } : { names };
  }
  const metadata = value.metadata;
  const name = isPlainObject(metadata) ? metadata.name : undefined;
  if (typeof name !== "string" || name === "") missing.push("metadata.name");
  if (missing.length > 0) {
    const kind = typeof value.kind === "string" && value.kind !== "" ? ` (${value.kind})` : "";
    return { problem: `${label}${kind} is missing ${missing.join(", ")}`, names: [] };
  }
  return { names: [`${value.kind}/${name}`] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map)
  );
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Map) return "a mapping with non-string keys";
  if (typeof value === "string") return "a string";
  return `a ${typeof value}`;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
