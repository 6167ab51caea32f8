import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { abortedError } from "../../errors/shipgate-error.js";
import {
  expectAbortedBeforeSending,
  type FaultInjectableEmulator,
  itSendsNothingWhenAborted,
  transportUnderTest,
} from "./emulator-transport-checks.js";
import type { InjectedFault } from "./injected-fault.js";

function fakeEmulator(): FaultInjectableEmulator & { faults: InjectedFault[] } {
  const faults: InjectedFault[] = [];
  return { requests: [], faults, fail: (fault) => faults.push(fault) };
}

describe("expectAbortedBeforeSending", () => {
  it("passes when every call fails as aborted and nothing was sent", async () => {
    const seen: boolean[] = [];
    await expectAbortedBeforeSending(fakeEmulator(), (signal) => {
      seen.push(signal.aborted);
      return [errAsync(abortedError(signal)), errAsync(abortedError(signal))];
    });
    expect(seen).toEqual([true]);
  });

  it("fails when a call succeeds, or when a request was sent", async () => {
    await expect(expectAbortedBeforeSending(fakeEmulator(), () => [okAsync(1)])).rejects.toThrow();
    const sent = { requests: [{ url: "/a", status: 200 }] };
    await expect(
      expectAbortedBeforeSending(sent, (signal) => [errAsync(abortedError(signal))]),
    ).rejects.toThrow();
  });
});

describe("itSendsNothingWhenAborted", () => {
  const seen: [string, boolean][] = [];
  itSendsNothingWhenAborted(
    async () => ({ emulator: fakeEmulator(), name: "under test" }),
    (under, signal) => {
      seen.push([under.name, signal.aborted]);
      return [errAsync(abortedError(signal))];
    },
  );
  it("gave the calls the adapter under test and a fired signal", () => {
    expect(seen).toEqual([["under test", true]]);
  });
});

describe("transportUnderTest", () => {
  it("reads through the adapter and injects faults into, and reads requests from, the emulator", async () => {
    const emulator = fakeEmulator();
    const t = transportUnderTest(emulator, () => okAsync("read"), /\/a/);
    expect((await t.read(new AbortController().signal))._unsafeUnwrap()).toBe("read");
    expect(t.readPath).toEqual(/\/a/);
    t.fail({ path: /\/a/, respond: { status: 500 } });
    expect(emulator.faults).toHaveLength(1);
    expect(t.requests()).toBe(emulator.requests);
    await expect(t.close()).resolves.toBeUndefined();
  });
});
