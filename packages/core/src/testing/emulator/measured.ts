import type {
  SloMeasurement,
  SloQuery,
  SloSource,
  SloSourceError,
} from "../../contracts/slo-source.js";

/**
 * The measurement an SLO source answers, or a thrown error naming what it answered instead:
 * for tests of adapters against their emulators.
 */
export async function measuredValue(
  source: SloSource,
  query: SloQuery,
  signal: AbortSignal = new AbortController().signal,
): Promise<SloMeasurement> {
  const r = await source.measure(query, { signal });
  if (r.isErr()) throw new Error(`expected ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** The error an SLO source answers, or a thrown error when it measured instead. */
export function measuredError(
  source: SloSource,
  query: SloQuery,
  signal: AbortSignal = new AbortController().signal,
): Promise<SloSourceError> {
  return source.measure(query, { signal }).match(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`);
    },
    (error) => error,
  );
}
