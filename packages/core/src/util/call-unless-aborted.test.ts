import { describe, expect, it } from "vitest";
import { ShipgateError } from "../errors/shipgate-error.js";
import { callUnlessAborted } from "./call-unless-aborted.js";

const toError = (thrown: unknown) => new ShipgateError("unavailable", String(thrown));

describe("callUnlessAborted", () => {
  it("answers with what the call resolves to", async () => {
    const result = await callUnlessAborted(new AbortController().signal, async () => 42, toError);
    expect(result._unsafeUnwrap()).toBe(42);
  });

  it("maps a rejection and a synchronous throw through toError", async () => {
    const signal = new AbortController().signal;
    const rejected = await callUnlessAborted(signal, () => Promise.reject("boom"), toError);
    expect(rejected._unsafeUnwrapErr().message).toBe("boom");
    const thrown = await callUnlessAborted(
      signal,
      () => {
        throw "sync";
      },
      toError,
    );
    expect(thrown._unsafeUnwrapErr().message).toBe("sync");
  });

  it("does not call at all once the signal has fired", async () => {
    const controller = new AbortController();
    controller.abort();
    let called = false;
    const result = await callUnlessAborted(
      controller.signal,
      async () => {
        called = true;
      },
      toError,
    );
    expect(called).toBe(false);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });
});
