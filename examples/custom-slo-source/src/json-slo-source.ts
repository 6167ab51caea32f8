import {
  abortedError,
  readingOf,
  ShipgateError,
  type SloSource,
  toShipgateError,
} from "@shipgate/core";
import { ResultAsync } from "neverthrow";

/** What our service's `/slo` endpoint answers for a version over a window. */
interface SloJson {
  requests: number;
  errors: number;
  p95_ms: number | null;
}

/**
 * An SloSource over a JSON endpoint of our own: `GET <baseUrl>/slo?service=&version=&from=&to=`
 * → `{ requests, errors, p95_ms }`, 404 when it has nothing for that version. It reports
 * facts only; shipgate's core decides what counts as a breach.
 */
export function createJsonSloSource(options: { baseUrl: string; fetch?: typeof fetch }): SloSource {
  const fetchImpl = options.fetch ?? fetch;
  return {
    name: "json-endpoint",
    measure(query, { signal }) {
      const url = new URL("/slo", options.baseUrl);
      url.search = new URLSearchParams({
        service: query.service,
        version: query.version,
        from: query.windowStart.toISOString(),
        to: query.windowEnd.toISOString(),
      }).toString();
      const request = `GET ${url.pathname}?service=${query.service}&version=${query.version}`;
      const run = async () => {
        const res = await fetchImpl(url, { signal });
        if (res.status === 404) {
          const none = readingOf(null, `no data for ${query.service} ${query.version}`);
          return {
            errorRate: none,
            p95LatencyMs: none,
            sampleCount: 0,
            requestCount: 0,
            errorCount: 0,
            latencyBuckets: null,
          };
        }
        if (!res.ok) {
          const kind =
            res.status >= 500
              ? "unavailable"
              : res.status === 401 || res.status === 403
                ? "auth"
                : "bad_query";
          throw new ShipgateError(kind, `${request} answered ${res.status}`, {
            status: res.status,
            request,
          });
        }
        const body = (await res.json()) as Partial<SloJson>;
        if (typeof body.requests !== "number" || typeof body.errors !== "number") {
          throw new ShipgateError(
            "invalid_response",
            `${request}: expected { requests, errors, p95_ms }`,
            { request },
          );
        }
        return {
          errorRate:
            body.requests > 0
              ? readingOf(body.errors / body.requests)
              : readingOf(null, "no requests in the window"),
          p95LatencyMs: readingOf(body.p95_ms ?? null, "no latency samples in the window"),
          sampleCount: body.requests,
          // The endpoint counts requests and errors, but keeps no latency histogram.
          requestCount: body.requests,
          errorCount: body.errors,
          latencyBuckets: null,
          queries: [request],
        };
      };
      // fetch rejects with the signal's reason, whatever it is: an abort is an abort.
      return ResultAsync.fromPromise(run(), (error) =>
        signal.aborted ? abortedError(signal) : toShipgateError(error, `${request} failed`),
      );
    },
  };
}
