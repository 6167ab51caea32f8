import { err, ok, type Result } from "neverthrow";
import { z } from "zod";
import { ShipgateError } from "../errors/shipgate-error.js";
import { type JournalRead, type JournalRecord, RELEASE_JOURNAL_FORMAT } from "./release-journal.js";

const recordSchema = z.object({
  v: z.number().int().min(1),
  seq: z.number().int().min(1),
  at: z.string().min(1),
  type: z.string().min(1),
  run: z.string().min(1),
  data: z.record(z.string(), z.unknown()),
});

/**
 * Upgrades a record of an older format to the current one. Format 1 is the first, so
 * today this only fills what later formats may add; each new format adds one step here.
 */
function upgrade(record: z.output<typeof recordSchema>): JournalRecord {
  return { ...record, v: RELEASE_JOURNAL_FORMAT };
}

function newerFormat(v: number, ref: string): ShipgateError {
  return new ShipgateError(
    "unsupported",
    `The release journal ${ref} was written by a newer shipgate (format ${v}); this one reads formats up to ${RELEASE_JOURNAL_FORMAT}`,
    {
      field: "v",
      details: { format: v, supported: RELEASE_JOURNAL_FORMAT },
      hint: "Recover or inspect this release with the newer shipgate that wrote it (upgrade @shipgate/cli)",
    },
  );
}

/**
 * Parses one record (already JSON-decoded): checks its shape, refuses a newer format,
 * upgrades an older one.
 */
export function parseJournalRecord(
  value: unknown,
  ref: string,
): Result<JournalRecord, ShipgateError> {
  const format = (value as { v?: unknown } | null)?.v;
  if (typeof format === "number" && Number.isInteger(format) && format > RELEASE_JOURNAL_FORMAT)
    return err(newerFormat(format, ref));
  const parsed = recordSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(
      new ShipgateError(
        "invalid_response",
        `The release journal ${ref} holds a record that is not a journal record (${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"})`,
        {
          field: issue?.path.join(".") || undefined,
          hint: "Inspect the file; shipgate never writes such a record",
        },
      ),
    );
  }
  return ok(upgrade(parsed.data));
}

/**
 * Parses a JSON-lines journal. A last line without its newline was cut short by a crash or
 * power loss mid-write: it was never acknowledged as durable, so it is dropped and
 * `truncatedTail` is set. Any other bad line is an error; so is a `seq` out of order.
 */
export function parseJournalLines(text: string, ref: string): Result<JournalRead, ShipgateError> {
  const lines = text.split("\n");
  const tail = lines.pop() ?? "";
  const truncatedTail = tail.length > 0;
  const records: JournalRecord[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return err(
        new ShipgateError(
          "invalid_response",
          `Line ${index + 1} of the release journal ${ref} is not JSON`,
          {
            hint: "Only the last line may be cut short by a crash; this file was edited or damaged",
          },
        ),
      );
    }
    const record = parseJournalRecord(value, ref);
    if (record.isErr()) return err(record.error);
    const expected = (records.at(-1)?.seq ?? 0) + 1;
    if (record.value.seq !== expected)
      return err(
        new ShipgateError(
          "invalid_response",
          `The release journal ${ref} skips from record ${expected - 1} to ${record.value.seq}`,
          { field: "seq" },
        ),
      );
    records.push(record.value);
  }
  return ok({ records, ref, truncatedTail });
}

/** Checks a record before it is written and returns its JSON line (with the newline). */
export function serializeJournalRecord(record: JournalRecord): Result<string, ShipgateError> {
  const parsed = recordSchema.safeParse(record);
  if (!parsed.success || record.v !== RELEASE_JOURNAL_FORMAT)
    return err(
      new ShipgateError("invalid_input", "Not a journal record of the current format", {
        field: parsed.success ? "v" : parsed.error.issues[0]?.path.join("."),
      }),
    );
  return ok(`${JSON.stringify(record)}\n`);
}

/** The `conflict` for an append whose `seq` does not follow the journal's last record. */
export function seqConflict(ref: string, expected: number, got: number): ShipgateError {
  return new ShipgateError(
    "conflict",
    `The release journal ${ref} expected record ${expected} but was given ${got}: another run wrote to it`,
    {
      field: "seq",
      details: { expected, got },
      hint: "Only the holder of the release lock writes the journal",
    },
  );
}
