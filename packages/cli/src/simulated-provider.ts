import { resolve } from "node:path";
import { type Clock, defineProvider, type ShipgateProvider } from "@shipgate/core";
import { ok } from "neverthrow";
import { z } from "zod";
import type { TestingKit } from "./testing-kit.js";

const series = z.union([z.number(), z.null(), z.array(z.number().nullable())]);

/** `use: simulated` — CI, deployer, SLO source and a smoke check over core's simulators. */
export const simulatedOptionsSchema = z.strictObject({
  /**
   * The simulated platform's state file, relative to the config: it outlives the process,
   * so a release killed mid-canary can be recovered by the next one, as on a real cluster.
   */
  state_file: z.string().min(1).default("devops/simulated/deployer.json"),
  /** The version serving before the first release. */
  stable_version: z.string().min(1).default("v1.3.0"),
  /** CI checks on every sha. */
  checks: z
    .array(z.strictObject({ name: z.string().min(1), conclusion: z.enum(["success", "failure"]) }))
    .default([{ name: "build", conclusion: "success" }]),
  /**
   * Metrics per canary weight (`"5"`, `"25"`, `"100"`, `default`, `stable`); a weight may
   * carry its own `stable:` track.
   */
  metrics: z
    .record(
      z.string(),
      z.strictObject({
        error_rate: series,
        p95_latency_ms: series,
        requests: series.optional(),
        stable: z
          .strictObject({ error_rate: series, p95_latency_ms: series, requests: series.optional() })
          .optional(),
      }),
    )
    .default({ default: { error_rate: 0.002, p95_latency_ms: 180 } }),
  /** How long a rollback takes on the release's clock (a real controller needs time too). */
  rollback_seconds: z.number().min(0).default(0),
  /** Add a passing `healthz` smoke check. */
  smoke: z.boolean().default(true),
});

/**
 * The `simulated` provider: what `shipgate demo` releases with, and what the crash tests
 * drive. Sections naming it with the same `with:` share one instance (the SLO source
 * reads the deployer's weight).
 */
export function simulatedProvider(kit: TestingKit, clock: Clock): ShipgateProvider {
  const instances = new Map<string, ReturnType<ShipgateProvider["create"]>>();
  return defineProvider({
    name: "simulated",
    optionsSchema: simulatedOptionsSchema,
    create(o, context) {
      const key = JSON.stringify(o);
      const known = instances.get(key);
      if (known) return known;
      const deployer = kit.createFileSimulatedDeployer({
        statePath: resolve(context.cwd, o.state_file),
        stableVersion: o.stable_version,
        ...(o.rollback_seconds > 0 ? { clock, rollbackMs: o.rollback_seconds * 1000 } : {}),
      });
      const parts = ok({
        ci: kit.createFakeCiProvider({ clock, checks: o.checks }),
        deployer,
        slo: kit.createSimulatedSloSource(deployer, o.metrics),
        smokeChecks: o.smoke ? [kit.createFakeSmokeCheck({ name: "healthz" })] : [],
      });
      instances.set(key, parts);
      return parts;
    },
  }) as ShipgateProvider;
}
