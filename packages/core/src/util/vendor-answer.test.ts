import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ShipgateError } from "../errors/shipgate-error.js";
import { parseVendorAnswer, vendorCallError } from "./vendor-answer.js";

describe("parseVendorAnswer", () => {
  const schema = z.object({ id: z.number(), state: z.string() });
  it("returns what the schema reads, and throws invalid_response naming the first mismatch", () => {
    expect(
      parseVendorAnswer("GitLab's", schema, { id: 7, state: "merged", x: 1 }, "GET /x"),
    ).toEqual({ id: 7, state: "merged" });
    let thrown: unknown;
    try {
      parseVendorAnswer("Azure DevOps'", schema, { id: "7" }, "GET /pr/7");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: "invalid_response", request: "GET /pr/7" });
    expect((thrown as Error).message).toMatch(
      /^Azure DevOps' answer does not match its documented shape \(id: /,
    );
  });
});

describe("vendorCallError", () => {
  const live = new AbortController().signal;
  it("says aborted once the signal fired, whatever was thrown", () => {
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    expect(vendorCallError(new Error("socket hang up"), controller.signal, "x").kind).toBe(
      "aborted",
    );
  });
  it("keeps a ShipgateError, maps a client's abort, and calls anything else internal", () => {
    const own = new ShipgateError("auth", "bad token");
    expect(vendorCallError(own, live, "x")).toBe(own);
    const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
    expect(vendorCallError(abort, live, "x").kind).toBe("aborted");
    expect(vendorCallError("boom", live, "listing checks")).toMatchObject({
      kind: "internal",
      message: "Unexpected failure while listing checks: boom",
    });
  });
});
