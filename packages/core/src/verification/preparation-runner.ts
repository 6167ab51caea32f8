import type { ConfigInventory } from "../contracts/config-inventory.js";
import type { PreparationRunner } from "../model/release-stack.js";
import { createEnvConfigInventory } from "./env-config-inventory.js";
import { runPreparationChecks } from "./preparation-checks.js";

/**
 * The default `prepare` of a stack: manifests read relative to `cwd`, config and secret
 * names looked up in `inventory` (default: environment variables).
 */
export function createPreparationRunner(options: {
  cwd: string;
  inventory?: ConfigInventory;
}): PreparationRunner {
  const inventory = options.inventory ?? createEnvConfigInventory();
  return (spec, signal) => runPreparationChecks(spec, { cwd: options.cwd, inventory, signal });
}
