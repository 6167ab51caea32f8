import { expect, it } from "vitest";
import type { Notifier } from "../../contracts/notifier.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  expectErrorKind,
} from "./conformance-suite.js";
import { conformanceNotifications } from "./fixtures.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a Notifier adapter's test provides. */
export interface NotifierConformanceSetup extends ConformanceCleanup {
  notifier: Notifier;
  /** What the backend received so far, in order. */
  received: () => Promise<unknown[]>;
}

/** The shared suite every {@link Notifier} runs against itself. */
export const describeNotifierConformance = defineConformanceSuite<NotifierConformanceSetup>(
  "Notifier",
  (s) => {
    it("delivers one message for each kind of notification", async () => {
      const before = (await s().received()).length;
      const all = conformanceNotifications();
      for (const n of all)
        expectOk(await settle(() => s().notifier.notify(n, { signal: liveSignal() })));
      expect((await s().received()).length - before).toBe(all.length);
    });

    it("delivers nothing and resolves to an aborted error when the signal has fired", async () => {
      const before = (await s().received()).length;
      const settled = await settle(() =>
        s().notifier.notify(conformanceNotifications()[0]!, { signal: abortedSignal() }),
      );
      expectErrorKind(settled, "aborted");
      expect((await s().received()).length).toBe(before);
    });
  },
);
