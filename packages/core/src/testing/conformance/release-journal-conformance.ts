import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type JournalRecord,
  RELEASE_JOURNAL_FORMAT,
  type ReleaseJournal,
} from "../../contracts/release-journal.js";
import { abortedSignal, expectOk, liveSignal, settle } from "./run-safely.js";

/** What a ReleaseJournal adapter's test provides. */
export interface ReleaseJournalConformanceSetup {
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
  cleanup?: () => Promise<void> | void;
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
export function describeReleaseJournalConformance(
  name: string,
  setup: () => Promise<ReleaseJournalConformanceSetup> | ReleaseJournalConformanceSetup,
): void {
  describe(`ReleaseJournal conformance: ${name}`, () => {
    let s: ReleaseJournalConformanceSetup;
    const o = () => ({ signal: liveSignal() });
    const service = () => `svc-${Math.random().toString(36).slice(2, 8)}`;
    beforeAll(async () => {
      s = await setup();
    });
    afterAll(async () => {
      await s?.cleanup?.();
    });

    it("has no journal for a service that never released", async () => {
      expect(expectOk(await settle(() => s.makeJournal().read(service(), o())))).toBeNull();
    });

    it("reads back every record in order, from another client, with its data intact", async () => {
      const svc = service();
      const a = s.makeJournal();
      expectOk(
        await settle(() => a.begin(svc, record(1, "release.started", { version: "v1.4.0" }), o())),
      );
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
      const read = expectOk(await settle(() => s.makeJournal().read(svc, o())));
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
      const svc = service();
      const j = s.makeJournal();
      expectOk(await settle(() => j.begin(svc, record(1, "release.started"), o())));
      for (const seq of [1, 3]) {
        const refused = await settle(() => j.append(svc, record(seq, "weight.set"), o()));
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.error.kind).toBe("conflict");
      }
      expect(expectOk(await settle(() => j.read(svc, o())))?.records).toHaveLength(1);
    });

    it("refuses to append to a journal that was never begun", async () => {
      const refused = await settle(() =>
        s.makeJournal().append(service(), record(1, "weight.set"), o()),
      );
      expect(refused.ok).toBe(false);
    });

    it("replaces the last release's journal when a new one begins", async () => {
      const svc = service();
      const j = s.makeJournal();
      expectOk(
        await settle(() => j.begin(svc, record(1, "release.started", { version: "v1" }), o())),
      );
      expectOk(await settle(() => j.append(svc, record(2, "finished"), o())));
      expectOk(
        await settle(() =>
          s.makeJournal().begin(svc, record(1, "release.started", { version: "v2" }), o()),
        ),
      );
      const read = expectOk(await settle(() => j.read(svc, o())));
      expect(read?.records).toEqual([record(1, "release.started", { version: "v2" })]);
    });

    it("refuses to write a record of another format", async () => {
      const svc = service();
      const j = s.makeJournal();
      expectOk(await settle(() => j.begin(svc, record(1, "release.started"), o())));
      const newer = await settle(() =>
        j.append(svc, { ...record(2, "weight.set"), v: RELEASE_JOURNAL_FORMAT + 1 }, o()),
      );
      expect(newer.ok).toBe(false);
      if (!newer.ok) expect(newer.error.kind).toBe("invalid_input");
    });

    it("refuses to read a journal of a newer format, saying so", async () => {
      if (!s.plantRecord) return;
      const svc = service();
      const j = s.makeJournal();
      expectOk(await settle(() => j.begin(svc, record(1, "release.started"), o())));
      await s.plantRecord(svc, { ...record(2, "hologram.set"), v: RELEASE_JOURNAL_FORMAT + 1 });
      const read = await settle(() => j.read(svc, o()));
      expect(read.ok).toBe(false);
      if (!read.ok) {
        expect(read.error.kind).toBe("unsupported");
        expect(read.error.message).toContain("newer shipgate");
      }
    });

    it("drops a last record cut short by power loss, says so, and appends over it", async () => {
      if (!s.truncateLastRecord) return;
      const svc = service();
      const j = s.makeJournal();
      expectOk(await settle(() => j.begin(svc, record(1, "release.started"), o())));
      expectOk(await settle(() => j.append(svc, record(2, "weight.set", { weight: 5 }), o())));
      await s.truncateLastRecord(svc);
      const read = expectOk(await settle(() => j.read(svc, o())));
      expect(read?.truncatedTail).toBe(true);
      expect(read?.records.map((r) => r.seq)).toEqual([1]);
      expectOk(await settle(() => j.append(svc, record(2, "abort"), o())));
      const again = expectOk(await settle(() => s.makeJournal().read(svc, o())));
      expect(again?.truncatedTail).toBe(false);
      expect(again?.records.map((r) => r.type)).toEqual(["release.started", "abort"]);
    });

    it("lets exactly one of two racing appends of the same seq win", async () => {
      if (!s.atomicAppend) return;
      const svc = service();
      expectOk(await settle(() => s.makeJournal().begin(svc, record(1, "release.started"), o())));
      const [a, b] = await Promise.all([
        settle(() =>
          s.makeJournal().append(svc, { ...record(2, "recovery.started"), run: "a" }, o()),
        ),
        settle(() =>
          s.makeJournal().append(svc, { ...record(2, "recovery.started"), run: "b" }, o()),
        ),
      ]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      const read = expectOk(await settle(() => s.makeJournal().read(svc, o())));
      expect(read?.records).toHaveLength(2);
    });

    it("resolves to an aborted error, without throwing, when the signal has fired", async () => {
      const settled = await settle(() =>
        s.makeJournal().read(service(), { signal: abortedSignal() }),
      );
      expect(settled.ok).toBe(false);
      if (!settled.ok) expect(settled.error.kind).toBe("aborted");
    });
  });
}
