import { linkHeader, pageByNumber } from "@shipgate/core/testing/emulator";

/** What a route answers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  operationId?: string;
  /** Raw text body (custom media types). */
  text?: string;
}

/** What a route is given of the request. */
export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  accept: string;
  /** Absolute URL of this request, for Link headers. */
  self: URL;
}

/** A REST operation: method, path below `/repos/{owner}/{repo}`, OpenAPI operation id. */
export type Route = {
  method: string;
  pattern: RegExp;
  operationId: string;
  handle: (ctx: RouteContext) => Reply;
};

/** GitHub's 404 body. */
export const NOT_FOUND = {
  message: "Not Found",
  documentation_url: "https://docs.github.com/rest",
  status: "404",
};

/** Slices `items` like GitHub's REST pagination and builds the Link header. */
export function paginate<T>(
  items: T[],
  ctx: RouteContext,
  defaults: { perPage: number; maxPerPage: number } = { perPage: 30, maxPerPage: 100 },
): { page: T[]; headers: Record<string, string> } {
  const {
    items: page,
    page: pageNo,
    perPage,
    lastPage,
  } = pageByNumber(ctx.query, items, {
    defaultPerPage: defaults.perPage,
    maxPerPage: defaults.maxPerPage,
  });
  const at = (n: number) => ({ per_page: String(perPage), page: String(n) });
  const relations: [string, Record<string, string>][] = [];
  if (pageNo > 1) relations.push(["prev", at(pageNo - 1)]);
  if (pageNo < lastPage) relations.push(["next", at(pageNo + 1)], ["last", at(lastPage)]);
  if (pageNo > 1) relations.push(["first", at(1)]);
  return { page, headers: relations.length > 0 ? { link: linkHeader(ctx.self, relations) } : {} };
}

/** GitHub's 422 body. */
export function validationFailed(message: string, documentation: string, field?: string): Reply {
  return {
    status: 422,
    body: {
      message,
      documentation_url: documentation,
      ...(field ? { errors: [{ resource: "Request", field, code: "invalid" }] } : {}),
      status: "422",
    },
  };
}

/** The item with the highest id per key. */
export function latestBy<T extends { id: number }>(items: T[], key: (item: T) => string): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const seen = latest.get(key(item));
    if (!seen || item.id > seen.id) latest.set(key(item), item);
  }
  return [...latest.values()];
}

/** GitHub's 422 for a ref that names no commit. */
export const noCommit = (ref: string, docs: string) =>
  validationFailed(`No commit found for SHA: ${ref}`, docs);
