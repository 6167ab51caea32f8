import type { ResultAsync } from "neverthrow";
import { expect, it } from "vitest";
import type { ShipgateError } from "../../errors/shipgate-error.js";
import type { HttpTransportUnderTest } from "../conformance/http-transport-conformance.js";
import type { InjectedFault } from "./injected-fault.js";
import type { EmulatorRecordedRequest } from "./request-log.js";

/** An emulator whose faults a transport test injects and whose request log it reads. */
export interface FaultInjectableEmulator {
  readonly requests: readonly Pick<EmulatorRecordedRequest, "url" | "status">[];
  fail(fault: InjectedFault): void;
}

/**
 * Asserts that every call `calls` makes with a signal that has already fired fails as
 * `aborted`, and that `emulator` received no request at all.
 *
 * @example
 * ```ts
 * await expectAbortedBeforeSending(gitlab, (signal) => [
 *   provider.ci.listChecks(s.greenSha, { signal }),
 *   provider.sourceControl.listChanges({ fromTag: "v1.0.0", toSha: s.toSha }, { signal }),
 * ]);
 * ```
 */
export async function expectAbortedBeforeSending(
  emulator: Pick<FaultInjectableEmulator, "requests">,
  calls: (signal: AbortSignal) => ResultAsync<unknown, ShipgateError>[],
): Promise<void> {
  const controller = new AbortController();
  controller.abort();
  const results = await Promise.all(calls(controller.signal));
  expect(results.map((r) => r._unsafeUnwrapErr().kind)).toEqual(results.map(() => "aborted"));
  expect(emulator.requests).toHaveLength(0);
}

/**
 * Registers the test "sends nothing when the signal has already fired": `setup` gives a
 * fresh adapter on its emulator, and every call `calls` makes on it with a fired signal
 * must fail as `aborted` without a request (see {@link expectAbortedBeforeSending}).
 *
 * @example
 * ```ts
 * itSendsNothingWhenAborted(setup, ({ s, provider }, signal) => [
 *   provider.ci.listChecks(s.greenSha, { signal }),
 * ]);
 * ```
 */
export function itSendsNothingWhenAborted<
  Under extends { emulator: Pick<FaultInjectableEmulator, "requests"> },
>(
  setup: () => Promise<Under>,
  calls: (under: Under, signal: AbortSignal) => ResultAsync<unknown, ShipgateError>[],
): void {
  it("sends nothing when the signal has already fired", async () => {
    const under = await setup();
    await expectAbortedBeforeSending(under.emulator, (signal) => calls(under, signal));
  });
}

/**
 * What `describeHttpTransportConformance` drives for an adapter on `emulator`: `read` (a read
 * the adapter may retry) sends its requests to `readPath`. Closing is left to whoever started
 * the emulator (`startedPerTest`, say), so `close` does nothing.
 *
 * @example
 * ```ts
 * describeHttpTransportConformance("gitlab", async (settings) => {
 *   const { emulator, s, provider } = await setup({ transport: settings });
 *   return transportUnderTest(emulator, (signal) => provider.ci.listChecks(s.greenSha, { signal }), /\/pipelines/);
 * });
 * ```
 */
export function transportUnderTest(
  emulator: FaultInjectableEmulator,
  read: (signal: AbortSignal) => ResultAsync<unknown, ShipgateError>,
  readPath: RegExp,
): HttpTransportUnderTest {
  return {
    read,
    readPath,
    fail: (fault) => emulator.fail(fault),
    requests: () => emulator.requests,
    close: async () => {},
  };
}
