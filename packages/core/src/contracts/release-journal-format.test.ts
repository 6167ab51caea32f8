import { describe, expect, it } from "vitest";
import { RELEASE_JOURNAL_FORMAT } from "./release-journal.js";
import { parseJournalLines, serializeJournalRecord } from "./release-journal-format.js";

const line = (seq: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    seq,
    at: "2026-01-05T10:00:00.000Z",
    type: "weight.set",
    run: "r",
    data: { weight: seq },
    ...extra,
  });

describe("the journal's format", () => {
  it("reads complete lines; a last line without its newline (power loss) is dropped and flagged", () => {
    const read = parseJournalLines(
      `${line(1)}\n${line(2)}\n${line(3).slice(0, 25)}`,
      "j",
    )._unsafeUnwrap();
    expect(read.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(read.truncatedTail).toBe(true);
    // Even a whole JSON object whose newline never made it counts as not written.
    expect(parseJournalLines(`${line(1)}\n${line(2)}`, "j")._unsafeUnwrap().records).toHaveLength(
      1,
    );
  });

  it("reads format 1 (the first format), keeping unknown fields of a record out of the way", () => {
    const read = parseJournalLines(`${line(1, { note: "x" })}\n`, "j")._unsafeUnwrap();
    expect(read.records[0]).toMatchObject({
      v: RELEASE_JOURNAL_FORMAT,
      seq: 1,
      data: { weight: 1 },
    });
  });

  it("refuses a newer format, naming it and what to do", () => {
    const error = parseJournalLines(
      `${line(1)}\n${line(2, { v: RELEASE_JOURNAL_FORMAT + 1 })}\n`,
      "devops/status/x.jsonl",
    )._unsafeUnwrapErr();
    expect(error.kind).toBe("unsupported");
    expect(error.message).toContain(`format ${RELEASE_JOURNAL_FORMAT + 1}`);
    expect(error.hint).toContain("upgrade");
  });

  it("refuses a damaged middle line and a gap in seq: only the last line may be cut short", () => {
    expect(
      parseJournalLines(`${line(1)}\n{"v":1,\n${line(3)}\n`, "j")._unsafeUnwrapErr().message,
    ).toContain("Line 2");
    expect(parseJournalLines(`${line(1)}\n${line(3)}\n`, "j")._unsafeUnwrapErr().field).toBe("seq");
    expect(parseJournalLines(`${line(1, { run: "" })}\n`, "j")._unsafeUnwrapErr().kind).toBe(
      "invalid_response",
    );
  });

  it("writes only records of the current format, one line each", () => {
    const record = JSON.parse(line(1));
    expect(serializeJournalRecord(record)._unsafeUnwrap()).toBe(`${line(1)}\n`);
    expect(serializeJournalRecord({ ...record, v: 0 }).isErr()).toBe(true);
  });
});
