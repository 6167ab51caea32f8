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

/**
 * {@link measuredValue} and {@link measuredError} with a test file's usual source and
 * query filled in when left out.
 */
export function measurerFor(defaultSource: () => SloSource, defaultQuery: () => SloQuery) {
  return {
    measureOk: (source = defaultSource(), query = defaultQuery(), signal?: AbortSignal) =>
      measuredValue(source, query, signal),
    measureErr: (source = defaultSource(), query = defaultQuery(), signal?: AbortSignal) =>
      measuredError(source, query, signal),
  };
}
