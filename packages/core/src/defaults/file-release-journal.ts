import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errAsync, ResultAsync } from "neverthrow";
import type { CallOptions } from "../contracts/call-options.js";
import type {
  JournalRead,
  JournalRecord,
  ReleaseJournal,
  ReleaseJournalError,
} from "../contracts/release-journal.js";
import {
  parseJournalLines,
  seqConflict,
  serializeJournalRecord,
} from "../contracts/release-journal-format.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import { fsError } from "./fs-error.js";
import { checkArtifactPath } from "./relative-artifact-path.js";

/** Options of {@link createFileReleaseJournal}. */
export interface FileReleaseJournalOptions {
  /** The directory journal paths are relative to (the same root as the file lock's). */
  rootDir: string;
  /** Where journals live, relative to `rootDir` (default `devops/status`, beside the lock). */
  dir?: string;
  /**
   * Called once a record is durable, before the action it announces runs. Crash tests use
   * it to stop the process at an exact journal boundary; releases leave it unset.
   */
  afterAppend?: (record: JournalRecord) => void;
}

const SERVICE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A {@link ReleaseJournal} as a JSON-lines file beside the lock,
 * `devops/status/release-<service>.journal.jsonl`: one record per line, each append
 * `fsync`'d before it resolves, a new release's journal written to a temp file, synced and
 * renamed over the last one. A last line cut short by power loss is dropped on read and
 * replaced by the next append. Keep `*.journal.jsonl` out of git like the lock.
 *
 * @example
 * ```ts
 * const journal = createFileReleaseJournal({ rootDir: process.cwd() });
 * await journal.append("shop", { v: 1, seq: 4, at, type: "weight.set", run, data: { weight: 25 } }, { signal });
 * ```
 */
export function createFileReleaseJournal(options: FileReleaseJournalOptions): ReleaseJournal {
  const dir = (options.dir ?? "devops/status").replace(/\/+$/, "");
  const relativePath = (service: string) => `${dir}/release-${service}.journal.jsonl`;
  const absolute = (relative: string) => join(options.rootDir, ...relative.split("/"));

  const check = (service: string, signal: AbortSignal): ShipgateError | null => {
    if (signal.aborted) return abortedError(signal);
    if (typeof service !== "string" || !SERVICE.test(service))
      return new ShipgateError(
        "invalid_input",
        `Invalid service name ${JSON.stringify(service)} for a journal file`,
        {
          field: "service",
          hint: "Use letters, digits, `.`, `_` and `-`",
        },
      );
    const dirCheck = checkArtifactPath(dir, "dir");
    return dirCheck.isErr() ? dirCheck.error : null;
  };

  const readText = async (ref: string): Promise<string | null> =>
    readFile(absolute(ref), "utf8").catch((error: unknown) => {
      if ((error as { code?: string }).code === "ENOENT") return null;
      throw error;
    });

  return {
    name: "file",

    read(
      service: string,
      { signal }: CallOptions,
    ): ResultAsync<JournalRead | null, ReleaseJournalError> {
      const invalid = check(service, signal);
      if (invalid) return errAsync(invalid);
      const ref = relativePath(service);
      return ResultAsync.fromPromise(
        (async () => {
          const text = await readText(ref);
          if (text === null) return null;
          const parsed = parseJournalLines(text, ref);
          if (parsed.isErr()) throw parsed.error;
          return parsed.value;
        })(),
        (error) => fsError(error, "read", ref),
      );
    },

    begin(
      service: string,
      first: JournalRecord,
      { signal }: CallOptions,
    ): ResultAsync<{ ref: string }, ReleaseJournalError> {
      const invalid = check(service, signal);
      if (invalid) return errAsync(invalid);
      const ref = relativePath(service);
      if (first.seq !== 1) return errAsync(seqConflict(ref, 1, first.seq));
      const line = serializeJournalRecord(first);
      if (line.isErr()) return errAsync(line.error);
      return ResultAsync.fromPromise(
        (async () => {
          await mkdir(absolute(dir), { recursive: true });
          const temp = `${ref}.${randomBytes(6).toString("hex")}.tmp`;
          const file = await open(absolute(temp), "wx");
          try {
            await file.writeFile(line.value, "utf8");
            await file.sync();
          } finally {
            await file.close();
          }
          try {
            await rename(absolute(temp), absolute(ref));
          } catch (error) {
            await unlink(absolute(temp)).catch(() => undefined);
            throw error;
          }
          await syncDir(absolute(dir));
          options.afterAppend?.(first);
          return { ref };
        })(),
        (error) => fsError(error, "begin", ref),
      );
    },

    append(
      service: string,
      record: JournalRecord,
      { signal }: CallOptions,
    ): ResultAsync<void, ReleaseJournalError> {
      const invalid = check(service, signal);
      if (invalid) return errAsync(invalid);
      const ref = relativePath(service);
      const line = serializeJournalRecord(record);
      if (line.isErr()) return errAsync(line.error);
      return ResultAsync.fromPromise(
        (async () => {
          let file: Awaited<ReturnType<typeof open>>;
          try {
            file = await open(absolute(ref), "r+");
          } catch (error) {
            if ((error as { code?: string }).code === "ENOENT")
              throw new ShipgateError("not_found", `No release journal ${ref} to append to`, {
                hint: "A release begins its journal before appending",
              });
            throw error;
          }
          try {
            const text = await file.readFile("utf8");
            const parsed = parseJournalLines(text, ref);
            if (parsed.isErr()) throw parsed.error;
            const expected = (parsed.value.records.at(-1)?.seq ?? 0) + 1;
            if (record.seq !== expected) throw seqConflict(ref, expected, record.seq);
            // Drop a line cut short by a crash: it was never durable, so it never happened.
            const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf("\n") + 1), "utf8");
            if (parsed.value.truncatedTail) await file.truncate(keep);
            const bytes = Buffer.from(line.value, "utf8");
            await file.write(bytes, 0, bytes.length, keep);
            await file.sync();
          } finally {
            await file.close();
          }
          options.afterAppend?.(record);
        })(),
        (error) => fsError(error, "append to", ref),
      );
    },
  };
}

/** Makes a rename durable: fsync the directory (not supported everywhere; best effort there). */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, "r").catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await handle.close();
  }
}
