import { afterAll, describe, expect, it } from "vitest";
import { seededProviderPerTest } from "./seeded-provider-per-test.js";

interface FakeEmulator {
  requests: string[];
  seeded: boolean;
  closed: boolean;
  resetLog(): void;
  close(): Promise<void>;
}

const started: FakeEmulator[] = [];

async function startFake(): Promise<FakeEmulator> {
  const emulator: FakeEmulator = {
    requests: [],
    seeded: false,
    closed: false,
    resetLog() {
      this.requests.length = 0;
    },
    async close() {
      this.closed = true;
    },
  };
  started.push(emulator);
  return emulator;
}

function seededFake(emulator: FakeEmulator, extra: Partial<{ name: string }>) {
  emulator.seeded = true;
  return {
    s: { sha: "abc" },
    provider: {
      name: extra.name ?? "default",
      read: async () => {
        emulator.requests.push("GET /location");
      },
    },
  };
}

describe("seededProviderPerTest", () => {
  const setup = seededProviderPerTest(startFake, seededFake);
  let warmUps = 0;
  const warmed = seededProviderPerTest(startFake, seededFake, {
    warm: async (provider) => {
      warmUps += 1;
      await provider.read();
    },
  });

  it("seeds a fresh emulator and creates the provider with the test's options", async () => {
    const first = await setup();
    const second = await setup({ name: "other" });
    expect(first.emulator).not.toBe(second.emulator);
    expect(first.emulator.seeded).toBe(true);
    expect(first.s).toEqual({ sha: "abc" });
    expect([first.provider.name, second.provider.name]).toEqual(["default", "other"]);
  });

  it("closed the emulators of the previous test", () => {
    expect(started.slice(0, 2).map((e) => e.closed)).toEqual([true, true]);
  });

  it("warms the provider up, then forgets the requests it sent", async () => {
    const { emulator, provider } = await warmed();
    expect(warmUps).toBe(1);
    expect(emulator.requests).toEqual([]);
    await provider.read();
    expect(emulator.requests).toEqual(["GET /location"]);
  });

  afterAll(() => {
    expect(started.every((e) => e.closed)).toBe(true);
  });
});
