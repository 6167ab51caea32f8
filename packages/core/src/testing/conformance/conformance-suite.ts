import type { ResultAsync } from "neverthrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ShipgateError, ShipgateErrorKind } from "../../errors/shipgate-error.js";
import { abortedSignal, settle } from "./run-safely.js";

/** What every conformance setup may carry: a way to stop what it started. */
export interface ConformanceCleanup {
  /** Stops what the setup started; called once, after the suite's last case. */
  cleanup?: () => Promise<void> | void;
}

/** How a conformance suite gets the adapter under test: built fresh, maybe asynchronously. */
export type ConformanceSetup<Setup> = () => Promise<Setup> | Setup;

/** A conformance suite: registers its cases for one adapter, titled with `name`. */
export type ConformanceSuite<Setup> = (name: string, setup: ConformanceSetup<Setup>) => void;

/**
 * The scaffold every `describe…Conformance` shares: one `describe` titled
 * `<contract> conformance: <name>`, the adapter's setup built once before its cases and
 * cleaned up after them. `cases` registers the contract's `it`s; they read the setup
 * through the getter, since it only exists once the cases run.
 *
 * @example
 * ```ts
 * export const describeNotifierConformance = defineConformanceSuite<NotifierConformanceSetup>(
 *   "Notifier",
 *   (s) => {
 *     it("delivers a message", async () => {
 *       expectOk(await settle(() => s().notifier.notify(n, { signal: liveSignal() })));
 *     });
 *   },
 * );
 * ```
 */
export function defineConformanceSuite<Setup extends object>(
  contract: string,
  cases: (s: () => Setup) => void,
): ConformanceSuite<Setup> {
  return (name, setup) => {
    describe(`${contract} conformance: ${name}`, () => {
      let current: (Setup & ConformanceCleanup) | undefined;
      beforeAll(async () => {
        current = await setup();
      });
      afterAll(async () => {
        await current?.cleanup?.();
      });
      cases(() => {
        if (current === undefined) throw new Error(`the ${contract} setup for ${name} did not run`);
        return current;
      });
    });
  };
}

/** Asserts that a settled contract call failed with an error of `kind`. */
export function expectErrorKind(
  settled: { ok: true; value: unknown } | { ok: false; error: ShipgateError },
  kind: ShipgateErrorKind,
): void {
  expect(settled.ok).toBe(false);
  if (!settled.ok) expect(settled.error.kind).toBe(kind);
}

/**
 * The case every contract shares: each call, made with a signal that has already fired,
 * resolves to an `aborted` error instead of throwing.
 */
export function itResolvesAbortedWhenSignalFired(
  calls: (signal: AbortSignal) => (() => ResultAsync<unknown, ShipgateError>)[],
): void {
  it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
    for (const call of calls(abortedSignal())) expectErrorKind(await settle(call), "aborted");
  });
}

/** A service name no other case of the run uses, so cases on one backend do not meet. */
export function uniqueServiceName(): string {
  return `svc-${Math.random().toString(36).slice(2, 8)}`;
}
