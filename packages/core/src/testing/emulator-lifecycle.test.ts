import { describe, expect, it } from "vitest";
import { startEmulatorServer } from "./emulator/emulator-server.js";
import { sharedPerFile, startedPerTest, stoppedEmulatorUrl } from "./emulator-lifecycle.js";

const closed: string[] = [];
const fake = async (name: string) => ({
  name,
  resets: 0,
  reset() {
    this.resets += 1;
  },
  async close() {
    closed.push(name);
  },
});

describe("startedPerTest", () => {
  const start = startedPerTest(fake);
  it("starts what the test asks for", async () => {
    expect((await start("a")).name).toBe("a");
    await start("b");
    expect(closed).toEqual([]);
  });
  it("closed everything the previous test started", () => {
    expect(closed.sort()).toEqual(["a", "b"]);
  });
});

describe("sharedPerFile", () => {
  const shared = sharedPerFile(() => fake("shared"));
  it("stands for one started emulator, reset before each test", () => {
    expect(shared.name).toBe("shared");
    expect(shared.resets).toBe(1);
  });
  it("is the same emulator in the next test, reset again", () => {
    expect(shared.resets).toBe(2);
    expect(closed).not.toContain("shared");
  });
});

describe("stoppedEmulatorUrl", () => {
  it("gives the URL of an emulator that no longer listens", async () => {
    const url = await stoppedEmulatorUrl(() =>
      startEmulatorServer({ handle: (x) => x.reply(200, {}) }),
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(fetch(url)).rejects.toThrow();
  });
});
