import type { ResultAsync } from "neverthrow";
import type { ShipgateError } from "../errors/shipgate-error.js";
import type { CallOptions } from "./call-options.js";

/** What a required name is: plain configuration or a secret. */
export type ConfigInventoryKind = "config" | "secret";

/**
 * Answers "does this config or secret exist where the service will run?" — by name only.
 *
 * Preparation checks use it to block a release whose `required_config` or
 * `required_secrets` are missing, before anything changes. Core never reads a value: an
 * implementation answers with a boolean and must not return, log or put into an error
 * any value it may have had to look at (e.g. a Kubernetes Secret's data). Names are fine
 * to report; values never are.
 *
 * @example
 * ```ts
 * const inventory: ConfigInventory = {
 *   name: "kubernetes-secrets",
 *   has: (kind, key, { signal }) => listSecretKeys(signal).map((keys) => keys.includes(key)),
 * };
 * ```
 */
export interface ConfigInventory {
  /** Shown in findings ("missing from kubernetes-secrets"). */
  readonly name: string;
  /**
   * True when `key` exists (and is non-empty) as a `kind`. A missing name is `ok(false)`,
   * not an error; errors mean the inventory could not be asked (`unavailable`, `auth`,
   * `aborted`…).
   */
  has(
    kind: ConfigInventoryKind,
    key: string,
    options: CallOptions,
  ): ResultAsync<boolean, ShipgateError>;
}
