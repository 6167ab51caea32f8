import { linkHeader, pageByNumber, pageByToken } from "@shipgate/core/testing/emulator";
import type { GitLabEmulatorOptions } from "./types.js";

/**
 * One page of `items` as GitLab answers a list: offset pagination with x-page, x-per-page,
 * x-next-page, x-prev-page, x-total, x-total-pages and a Link header (no totals and no
 * rel="last" past 10,000 rows), or keyset pagination with only a rel="next" cursor.
 */
export function gitLabPage(
  url: URL,
  items: unknown[],
  mode: NonNullable<GitLabEmulatorOptions["pagination"]>,
): { page: unknown[]; headers: Record<string, string> } {
  const sizes = { defaultPerPage: 20, maxPerPage: 100 };
  if (mode === "keyset") {
    const { perPage } = pageByNumber(url.searchParams, [], sizes);
    const { items: page, nextToken } = pageByToken(items, url.searchParams.get("cursor"), perPage);
    const headers: Record<string, string> = {};
    if (nextToken)
      headers.link = linkHeader(url, [["next", { cursor: nextToken, pagination: "keyset" }]]);
    return { page, headers };
  }
  const {
    items: page,
    page: pageNo,
    perPage,
    lastPage,
  } = pageByNumber(url.searchParams, items, sizes);
  const at = (n: number) => ({ page: String(n), per_page: String(perPage) });
  const relations: [string, Record<string, string>][] = [];
  if (pageNo < lastPage) relations.push(["next", at(pageNo + 1)]);
  if (pageNo > 1) relations.push(["prev", at(pageNo - 1)]);
  relations.push(["first", at(1)]);
  const headers: Record<string, string> = {
    "x-page": String(pageNo),
    "x-per-page": String(perPage),
    "x-next-page": pageNo < lastPage ? String(pageNo + 1) : "",
    "x-prev-page": pageNo > 1 ? String(pageNo - 1) : "",
  };
  if (mode === "offset") {
    relations.push(["last", at(lastPage)]);
    headers["x-total"] = String(items.length);
    headers["x-total-pages"] = String(lastPage);
  }
  headers.link = linkHeader(url, relations);
  return { page, headers };
}
