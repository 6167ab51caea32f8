import { describe, expect, it } from "vitest";
import { reachableCommits } from "./commit-graph.js";
import { documentedFieldProblems } from "./documented-fields.js";
import {
  decodeOffsetToken,
  encodeOffsetToken,
  linkHeader,
  pageByNumber,
  pageBySkip,
  pageByToken,
  pageSizeParam,
} from "./pagination.js";
import { matchRoute, pathSegments } from "./route-table.js";

const items = Array.from({ length: 25 }, (_, i) => i + 1);
const q = (s: string) => new URLSearchParams(s);

describe("pagination helpers", () => {
  it("pages by number with bounded sizes", () => {
    expect(
      pageByNumber(q("per_page=10&page=3"), items, { defaultPerPage: 20, maxPerPage: 100 }),
    ).toEqual({ items: [21, 22, 23, 24, 25], page: 3, perPage: 10, lastPage: 3 });
    const big = pageByNumber(q("per_page=1000"), items, { defaultPerPage: 20, maxPerPage: 5 });
    expect([big.perPage, big.lastPage, big.items]).toEqual([5, 5, [1, 2, 3, 4, 5]]);
    expect(pageByNumber(q("page=x"), [], { defaultPerPage: 20, maxPerPage: 100 })).toMatchObject({
      page: 1,
      lastPage: 1,
      items: [],
    });
  });

  it("builds Link headers from the request URL, in the order given", () => {
    const self = new URL("http://127.0.0.1:1/a?state=merged&page=2");
    expect(
      linkHeader(self, [
        ["next", { page: "3", per_page: "10" }],
        ["first", { page: "1", per_page: "10" }],
      ]),
    ).toBe(
      '<http://127.0.0.1:1/a?state=merged&page=3&per_page=10>; rel="next", <http://127.0.0.1:1/a?state=merged&page=1&per_page=10>; rel="first"',
    );
  });

  it("walks a token-paged list to the end, tokens opaque", () => {
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = pageByToken(items, token, 10);
      seen.push(...page.items);
      token = page.nextToken;
      pages += 1;
    } while (token);
    expect([seen, pages]).toEqual([items, 3]);
    expect(encodeOffsetToken(10)).not.toBe("10");
    expect(decodeOffsetToken(encodeOffsetToken(10))).toBe(10);
    expect(decodeOffsetToken("!!")).toBe(0);
  });

  it("slices top/skip windows, first parameter name present wins", () => {
    const options = {
      topNames: ["$top", "top"],
      skipNames: ["$skip", "skip"],
      defaultTop: 3,
      maxTop: 4,
    };
    expect(pageBySkip(q("$skip=2"), items, options)).toEqual([3, 4, 5]);
    expect(pageBySkip(q("top=100&skip=20"), items, options)).toEqual([21, 22, 23, 24]);
    expect(pageSizeParam(q("per_page=0"), ["per_page"], 20, 100)).toBe(20);
  });
});

describe("route table", () => {
  const routes = [
    { method: "GET", path: "/projects/:id", handle: () => {} },
    { method: "GET", path: "/projects/:id/merge_requests/:iid", handle: () => {} },
  ];
  it("matches method and segments, decoding them", () => {
    expect(matchRoute(routes, "get", "/projects/acme%2Fshop/merge_requests/7")).toMatchObject({
      name: "GET /projects/:id/merge_requests/:iid",
      params: { id: "acme/shop", iid: "7" },
    });
    expect(matchRoute(routes, "POST", "/projects/1")).toBeUndefined();
    expect(matchRoute(routes, "GET", "/projects/1/merge_requests")).toBeUndefined();
    expect(pathSegments("/a//b%20c/")).toEqual(["a", "b c"]);
  });
});

describe("reachableCommits", () => {
  it("walks parents through merges, once each, the start included", () => {
    const parents: Record<string, string[]> = { d: ["b", "c"], c: ["a"], b: ["a"], a: [] };
    expect([...reachableCommits("d", (id) => parents[id])].sort()).toEqual(["a", "b", "c", "d"]);
    expect([...reachableCommits("b", (id) => parents[id])].sort()).toEqual(["a", "b"]);
    expect([...reachableCommits("zzz", (id) => parents[id])]).toEqual(["zzz"]);
  });
});

describe("documentedFieldProblems", () => {
  it("names missing fields and wrong types, nullable ones allowed null", () => {
    const fields = { id: "number", name: "string|null", tags: "array" } as const;
    expect(documentedFieldProblems("GET x", { id: 1, name: null, tags: [] }, fields)).toEqual([]);
    expect(documentedFieldProblems("GET x", { id: "1", tags: null }, fields)).toEqual([
      "GET x.id: expected number, got string",
      "GET x.name: missing",
      "GET x.tags: expected array, got null",
    ]);
    expect(documentedFieldProblems("GET x", [], fields)).toEqual(["GET x: expected an object"]);
  });
});
