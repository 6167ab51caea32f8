/** A request an emulator received, as tests and benchmarks count them. Never holds headers, so never a token. */
export interface EmulatorRecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The name of the route it matched (e.g. `GET /projects/:id/pipelines`), or null. */
  route: string | null;
  /**
   * HTTP status sent; 0 not answered yet, -1 connection reset by a fault, -2 the client
   * closed the connection while the emulator hung.
   */
  status: number;
  /** Whether the request carried the credentials the emulator accepts. */
  authorized: boolean;
  /** The request body as text, when the server was started with `recordBodies`. */
  body?: string;
}

/** A 2xx JSON answer, kept for contract checks. */
export interface EmulatorRecordedResponse {
  route: string;
  body: unknown;
}

/** Counts requests per route (the URL for requests no route matched), in first-seen order. */
export function countRequestsByRoute(
  requests: readonly Pick<EmulatorRecordedRequest, "route" | "url">[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const key = r.route ?? r.url;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** `2 × GET /a, 1 × POST /b`: the per-route counts benchmarks print. */
export function formatRouteCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([route, n]) => `${n} × ${route}`).join(", ");
}
