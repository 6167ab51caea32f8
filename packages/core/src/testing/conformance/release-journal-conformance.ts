import { expect, it } from "vitest";
import {
  type JournalRecord,
  RELEASE_JOURNAL_FORMAT,
  type ReleaseJournal,
} from "../../contracts/release-journal.js";
import {
  type ConformanceCleanup,
  defineConformanceSuite,
  expectErrorKind,
  itResolvesAbortedWhenSignalFired,
  uniqueServiceName,
} from "./conformance-suite.js";
import { expectOk, liveSignal, settle } from "./run-safely.js";

/** What a ReleaseJournal adapter's test provides. */
export interface ReleaseJournalConformanceSetup extends ConformanceCleanup {
  /** A fresh journal client on the same backend (two clients stand for two CI runners). */
  makeJournal: () => ReleaseJournal;
  /**
   * Optional: cut the service's last record short, as power loss mid-write would (the
   * file journal leaves half a line). Without it, the truncation case is skipped.
   */
  truncateLastRecord?: (service: string) => Promise<void>;
  /** Optional: add a raw record (any JSON) after the last one, to plant a newer format. */
  plantRecord?: (service: string, value: unknown) => Promise<void>;
  /** Appends are atomic across clients (compare-and-swap): of two racing appends of one `seq`, one wins. */
  atomicAppend?: boolean;
}

const record = (seq: number, type: string, data: Record<string, unknown> = {}): JournalRecord => ({
  v: RELEASE_JOURNAL_FORMAT,
  seq,
  at: new Date(Date.UTC(2026, 0, 5, 10, 0, seq)).toISOString(),
  type,
  run: "conformance-run",
  data,
});

/** The shared suite every {@link ReleaseJournal} runs against itself. */
export const describeReleaseJournalConformance =
  defineConformanceSuite<ReleaseJournalConformanceSetup>("ReleaseJournal", (s) => {
    const o = () => ({ signal: liveSignal() });
    /** A fresh client on the backend. */
    const newJournal = () => s().makeJournal();
    /** A service no case used before, its journal begun with `first` through a fresh client. */
    const begun = async (first = record(1, "release.started")) => {
      const svc = uniqueServiceName();
      const j = newJournal();
      expectOk(await settle(() => j.begin(svc, first, o())));
      return { svc, j };
    };

    it("has no journal for a service that never released", async () => {
      expect(expectOk(await settle(() => newJournal().read(uniqueServiceName(), o())))).toBeNull();
    });

    it("reads back every record in order, from another client, with its data intact", async () => {
      const { svc, j: a } = await begun(record(1, "release.started", { version: "v1.4.0" }));
      expectOk(await settle(() => a.append(svc, record(2, "weight.set", { weight: 5 }), o())));
      expectOk(
        await settle(() =>
          a.append(
            svc,
            record(3, "step.verdict", { weight: 5, result: "passed", reason: null }),
            o(),
          ),
        ),
      );
      const read = expectOk(await settle(() => newJournal().read(svc, o())));
      expect(read?.truncatedTail).toBe(false);
      expect(read?.ref).toBeTruthy();
      expect(read?.records.map((r) => [r.seq, r.type])).toEqual([
        [1, "release.started"],
        [2, "weight.set"],
        [3, "step.verdict"],
      ]);
      expect(read?.records[2]).toEqual(
        record(3, "step.verdict", { weight: 5, result: "passed", reason: null }),
      );
    });

    it("refuses an append whose seq does not follow (conflict) and writes nothing", async () => {
      const { svc, j } = await begun();
      for (const seq of [1, 3]) {
        const refused = await settle(() => j.append(svc, record(seq, "weight.set"), o()));
        expectErrorKind(refused, "conflict");
      }
      expect(expectOk(await settle(() => j.read(svc, o())))?.records).toHaveLength(1);
    });

    it("refuses to append to a journal that was never begun", async () => {
      const refused = await settle(() =>
        newJournal().append(uniqueServiceName(), record(1, "weight.set"), o()),
      );
      expect(refused.ok).toBe(false);
    });

    it("replaces the last release's journal when a new one begins", async () => {
      const { svc, j } = await begun(record(1, "release.started", { version: "v1" }));
      expectOk(await settle(() => j.append(svc, record(2, "finished"), o())));
      expectOk(
        await settle(() =>
          newJournal().begin(svc, record(1, "release.started", { version: "v2" }), o()),
        ),
      );
      const read = expectOk(await settle(() => j.read(svc, o())));
      expect(read?.records).toEqual([record(1, "release.started", { version: "v2" })]);
    });

    it("refuses to write a record of another format", async () => {
      const { svc, j } = await begun();
      const newer = await settle(() =>
        j.append(svc, { ...record(2, "weight.set"), v: RELEASE_JOURNAL_FORMAT + 1 }, o()),
      );
      expectErrorKind(newer, "invalid_input");
    });

    it("refuses to read a journal of a newer format, saying so", async () => {
      const { plantRecord } = s();
      if (!plantRecord) return;
      const { svc, j } = await begun();
      await plantRecord(svc, { ...record(2, "hologram.set"), v: RELEASE_JOURNAL_FORMAT + 1 });
      const read = await settle(() => j.read(svc, o()));
      expect(read.ok).toBe(false);
      if (!read.ok) {
        expect(read.error.kind).toBe("unsupported");
        expect(read.error.message).toContain("newer shipgate");
      }
    });

    it("drops a last record cut short by power loss, says so, and appends over it", async () => {
      const { truncateLastRecord } = s();
      if (!truncateLastRecord) return;
      const { svc, j } = await begun();
      expectOk(await settle(() => j.append(svc, record(2, "weight.set", { weight: 5 }), o())));
      await truncateLastRecord(svc);
      const read = expectOk(await settle(() => j.read(svc, o())));
      expect(read?.truncatedTail).toBe(true);
      expect(read?.records.map((r) => r.seq)).toEqual([1]);
      expectOk(await settle(() => j.append(svc, record(2, "abort"), o())));
      const again = expectOk(await settle(() => newJournal().read(svc, o())));
      expect(again?.truncatedTail).toBe(false);
      expect(again?.records.map((r) => r.type)).toEqual(["release.started", "abort"]);
    });

    it("lets exactly one of two racing appends of the same seq win", async () => {
      if (!s().atomicAppend) return;
      const svc = uniqueServiceName();
      expectOk(await settle(() => newJournal().begin(svc, record(1, "release.started"), o())));
      const [a, b] = await Promise.all([
        settle(() => newJournal().append(svc, { ...record(2, "recovery.started"), run: "a" }, o())),
        settle(() => newJournal().append(svc, { ...record(2, "recovery.started"), run: "b" }, o())),
      ]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      const read = expectOk(await settle(() => newJournal().read(svc, o())));
      expect(read?.records).toHaveLength(2);
    });

    itResolvesAbortedWhenSignalFired((signal) => [
      () => newJournal().read(uniqueServiceName(), { signal }),
    ]);
  });
