// Pagination as vendors' list endpoints do it: page numbers with Link headers (GitHub,
// GitLab offset), opaque cursors (GitLab keyset), continuation tokens (Azure DevOps) and
// top/skip windows. Offsets inside tokens are base64url, so clients must treat them as opaque.

/** Reads a positive integer query parameter (the first name present), bounded by `max`. */
export function pageSizeParam(
  query: URLSearchParams,
  names: readonly string[],
  fallback: number,
  max: number,
): number {
  const raw = names.map((n) => query.get(n)).find((v) => v !== null);
  return Math.min(max, Math.max(1, Number(raw ?? fallback) || fallback));
}

/** One page of a page-numbered list. */
export interface NumberedPage<T> {
  items: T[];
  /** 1-based page number asked for. */
  page: number;
  perPage: number;
  /** Last page number (1 for an empty list). */
  lastPage: number;
}

/** Slices `items` by `page` and `per_page` query parameters. Pure. */
export function pageByNumber<T>(
  query: URLSearchParams,
  items: readonly T[],
  sizes: { defaultPerPage: number; maxPerPage: number },
): NumberedPage<T> {
  const perPage = pageSizeParam(query, ["per_page"], sizes.defaultPerPage, sizes.maxPerPage);
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  return { items: items.slice((page - 1) * perPage, page * perPage), page, perPage, lastPage };
}

/**
 * A Link header (RFC 8288) of `self` with query parameters replaced, one entry per
 * relation, in the order given.
 */
export function linkHeader(
  self: URL,
  relations: readonly (readonly [rel: string, params: Record<string, string>])[],
): string {
  return relations
    .map(([rel, params]) => {
      const u = new URL(self.toString());
      for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
      return `<${u.toString()}>; rel="${rel}"`;
    })
    .join(", ");
}

/** An opaque token for an offset into a list. */
export const encodeOffsetToken = (offset: number): string =>
  Buffer.from(String(offset)).toString("base64url");

/** The offset inside a token from {@link encodeOffsetToken}; 0 for none or garbage. */
export const decodeOffsetToken = (token: string | null | undefined): number => {
  if (!token) return 0;
  const n = Number(Buffer.from(token, "base64url").toString("utf8"));
  return Number.isFinite(n) && n >= 0 ? n : 0;
};

/** One page of a token-paged list, and the token of the next page (undefined on the last). */
export interface TokenPage<T> {
  items: T[];
  nextToken: string | undefined;
}

/** Slices `items` from the offset in `token`, `size` at a time. Pure. */
export function pageByToken<T>(
  items: readonly T[],
  token: string | null | undefined,
  size: number,
): TokenPage<T> {
  const start = decodeOffsetToken(token);
  return {
    items: items.slice(start, start + size),
    nextToken: start + size < items.length ? encodeOffsetToken(start + size) : undefined,
  };
}

/** Slices `items` by a top/skip window read from the first query names present. Pure. */
export function pageBySkip<T>(
  query: URLSearchParams,
  items: readonly T[],
  options: {
    topNames: readonly string[];
    skipNames: readonly string[];
    defaultTop: number;
    maxTop: number;
  },
): T[] {
  const top = pageSizeParam(query, options.topNames, options.defaultTop, options.maxTop);
  const rawSkip = options.skipNames.map((n) => query.get(n)).find((v) => v !== null);
  const skip = Math.max(0, Number(rawSkip ?? 0) || 0);
  return items.slice(skip, skip + top);
}
