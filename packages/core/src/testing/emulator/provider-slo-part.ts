import { expect } from "vitest";
import type { SloQuery, SloSource } from "../../contracts/slo-source.js";

/**
 * Expects a provider's `slo` part to be named `name` and to measure `errorRate` for `query`
 * over the emulator it was configured against.
 */
export async function expectWorkingSloPart(
  slo: SloSource | undefined,
  name: string,
  query: SloQuery,
  errorRate: number,
): Promise<void> {
  expect(slo?.name).toBe(name);
  const measured = await slo!.measure(query, { signal: new AbortController().signal });
  expect(measured._unsafeUnwrap().errorRate).toEqual({ kind: "value", value: errorRate });
}
