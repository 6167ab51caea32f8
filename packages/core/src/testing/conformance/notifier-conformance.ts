import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Notifier } from "../../contracts/notifier.js";
import { conformanceNotifications } from "./fixtures.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a Notifier adapter's test provides. */
export interface NotifierConformanceSetup {
  notifier: Notifier;
  /** What the backend received so far, in order. */
  received: () => Promise<unknown[]>;
  cleanup?: () => Promise<void> | void;
}

/** The shared suite every {@link Notifier} runs against itself. */
export function describeNotifierConformance(
  name: string,
  setup: () => Promise<NotifierConformanceSetup> | NotifierConformanceSetup,
): void {
  describe(`Notifier conformance: ${name}`, () => {
    let s: NotifierConformanceSetup;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    it("delivers one message for each kind of notification", async () => {
      const before = (await s.received()).length;
      const all = conformanceNotifications();
      for (const n of all)
        expectOk(await settle(() => s.notifier.notify(n, { signal: liveSignal() })));
      expect((await s.received()).length - before).toBe(all.length);
    });

    it("delivers nothing and resolves to an aborted error when the signal has fired", async () => {
      const before = (await s.received()).length;
      const settled = await settle(() =>
        s.notifier.notify(conformanceNotifications()[0]!, { signal: abortedSignal() }),
      );
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
      expect((await s.received()).length).toBe(before);
    });
  });
}
