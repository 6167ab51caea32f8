import { expect, it } from "vitest";
import type { IncidentRef, IncidentSink } from "../../contracts/incident-sink.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  itResolvesAbortedWhenSignalFired,
} from "./conformance-suite.js";
import { conformanceIncident } from "./fixtures.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What an IncidentSink adapter's test provides. */
export interface IncidentSinkConformanceSetup extends ConformanceCleanup {
  sink: IncidentSink;
  /** The text the backend stored for an incident, to check what it says. */
  readBack?: (ref: IncidentRef) => Promise<string | null>;
}

/** The shared suite every {@link IncidentSink} runs against itself. */
export const describeIncidentSinkConformance = defineConformanceSuite<IncidentSinkConformanceSetup>(
  "IncidentSink",
  (s) => {
    it("opens an incident and returns where it was filed", async () => {
      const ref = expectOk(
        await settle(() => s().sink.open(conformanceIncident, { signal: liveSignal() })),
      );
      expect(ref.id.length).toBeGreaterThan(0);
      expect(Boolean(ref.path) || Boolean(ref.url)).toBe(true);
      if (ref.path) {
        expect(ref.path.startsWith("/")).toBe(false);
        expect(/^[A-Za-z]:\\/.test(ref.path)).toBe(false);
      }
      const { readBack } = s();
      if (readBack) {
        const text = await readBack(ref);
        expect(text).not.toBeNull();
        expect(text).toContain(conformanceIncident.version);
        expect(text).toContain(conformanceIncident.breachReason);
        expect(text).toContain(
          String(conformanceIncident.suspects.find((x) => x.likelyCulprit)!.change.number),
        );
      }
    });

    it("opens a second incident under a different reference or the same deduplicated one", async () => {
      const first = expectOk(
        await settle(() => s().sink.open(conformanceIncident, { signal: liveSignal() })),
      );
      const second = expectOk(
        await settle(() => s().sink.open(conformanceIncident, { signal: liveSignal() })),
      );
      expect(typeof first.id).toBe("string");
      expect(typeof second.id).toBe("string");
      if (first.path && second.path) expect(second.path).not.toBe(first.path);
    });

    it("resolves what it opened for the service when asked (if it can)", async () => {
      if (!s().sink.resolveOpen) return;
      expectOk(await settle(() => s().sink.open(conformanceIncident, { signal: liveSignal() })));
      const scope = {
        service: conformanceIncident.service,
        environment: conformanceIncident.environment,
        version: "v1.4.1",
      };
      const resolved = expectOk(
        await settle(() => s().sink.resolveOpen!(scope, { signal: liveSignal() })),
      );
      expect(Array.isArray(resolved)).toBe(true);
      for (const ref of resolved) expect(ref.id.length).toBeGreaterThan(0);
    });

    it("finds the incident it filed under a release key, and nothing under another (if it can)", async () => {
      const sink = s().sink;
      if (!sink.findOpened) return;
      // Keys unique to this run: a backend kept between tests holds earlier incidents too.
      const run = `conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
      const key = `shipgate/shop/production/v1.4.0/${run}`;
      const signal = liveSignal();
      const before = expectOk(await settle(() => sink.findOpened!(key, { signal })));
      expect(before).toBeNull();
      // Another release's incident first, so a sink that returns any incident fails.
      expectOk(
        await settle(() =>
          sink.open({ ...conformanceIncident, releaseKey: `${key}-other` }, { signal }),
        ),
      );
      const opened = expectOk(
        await settle(() => sink.open({ ...conformanceIncident, releaseKey: key }, { signal })),
      );
      const found = expectOk(await settle(() => sink.findOpened!(key, { signal })));
      expect(found).not.toBeNull();
      expect(found!.id).toBe(opened.id);
      expect(found!.sink).toBe(opened.sink);
      if (opened.path) expect(found!.path).toBe(opened.path);
      if (opened.url) expect(found!.url).toBe(opened.url);
      const other = expectOk(await settle(() => sink.findOpened!(`${key}-none`, { signal })));
      expect(other).toBeNull();
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => s().sink.open(conformanceIncident, { signal }),
    ]);
  },
);
