import { okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { SloSource } from "../../contracts/slo-source.js";
import { emulatorDeadlineSetup } from "./emulator-deadline-checks.js";
import { fixtureSloQuery } from "./metric-points.js";

describe("emulatorDeadlineSetup", () => {
  it("scripts delays as faults, reads and resets the emulator's log, and passes timeouts on", () => {
    const faults: { delayMs: number }[] = [];
    const requests: unknown[] = ["earlier request"];
    const emulator = {
      failNext: (...f: { delayMs: number }[]) => faults.push(...f),
      requests,
      reset: () => {
        faults.length = 0;
        requests.length = 0;
      },
    };
    const asked: { timeoutMs?: number }[] = [];
    const source = (overrides: { timeoutMs?: number }): SloSource => {
      asked.push(overrides);
      return { name: "fake", measure: () => okAsync(undefined as never) };
    };
    const setup = emulatorDeadlineSetup(emulator, source, fixtureSloQuery);

    setup.source(100);
    setup.source();
    expect(asked).toEqual([{ timeoutMs: 100 }, {}]);
    expect(setup.query({ track: "stable" })).toEqual(fixtureSloQuery({ track: "stable" }));
    setup.delayNext(800);
    expect(faults).toEqual([{ delayMs: 800 }]);
    expect(setup.requests()).toEqual(["earlier request"]);
    setup.forget();
    expect([faults, setup.requests()]).toEqual([[], []]);
  });
});
