import { stat } from "node:fs/promises";
import { join } from "node:path";
import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { ConfigInventory } from "../contracts/config-inventory.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";

/** Options of {@link createEnvConfigInventory}. */
export interface EnvConfigInventoryOptions {
  /** Where names are looked up as variables; defaults to `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * A directory of one file per name, as Kubernetes mounts a Secret or ConfigMap volume
   * (`/etc/secrets/DB_PASSWORD`). Only the file's existence and size are looked at.
   */
  files?: { dir: string };
}

/** A name that can be both an env var and a plain file name: no separators, no `..`. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The default {@link ConfigInventory}: a name exists when it is a non-empty environment
 * variable or, if `files.dir` is given, a non-empty file of that name in that directory
 * (an empty value is as useless as a missing one). Config and secrets are looked up the
 * same way. Values are never returned, logged or read: files are only `stat`ed.
 *
 * @example
 * ```ts
 * const inventory = createEnvConfigInventory({ files: { dir: "/etc/secrets" } });
 * await inventory.has("secret", "DB_PASSWORD", { signal }); // ok(true)
 * ```
 */
export function createEnvConfigInventory(options: EnvConfigInventoryOptions = {}): ConfigInventory {
  const env = options.env ?? process.env;
  const dir = options.files?.dir;
  return {
    name: dir ? `environment and ${dir}` : "environment",
    has(kind, key, { signal }) {
      if (signal.aborted) return errAsync(abortedError(signal));
      const field =
        kind === "secret" ? "preparation.required_secrets" : "preparation.required_config";
      if (!SAFE_NAME.test(key)) {
        return errAsync(
          new ShipgateError(
            "invalid_input",
            `${kind} name ${JSON.stringify(key)} is not a plain name`,
            {
              field,
              hint: "use letters, digits, '_', '.' and '-' only (no path separators)",
            },
          ),
        );
      }
      const value = env[key];
      if (value !== undefined && value !== "") return okAsync(true);
      if (!dir) return okAsync(false);
      return ResultAsync.fromPromise(
        stat(join(dir, key)).then(
          (s) => s.isFile() && s.size > 0,
          (thrown: NodeJS.ErrnoException) => {
            if (thrown.code === "ENOENT" || thrown.code === "ENOTDIR") return false;
            throw thrown;
          },
        ),
        (thrown) =>
          new ShipgateError(
            "unavailable",
            `cannot check ${kind} ${key} in ${dir}: ${(thrown as NodeJS.ErrnoException).code ?? "error"}`,
            {
              field,
              cause: thrown,
            },
          ),
      ).andThen((exists) => (signal.aborted ? errAsync(abortedError(signal)) : okAsync(exists)));
    },
  };
}
