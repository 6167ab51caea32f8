import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeReleaseJournalConformance } from "../testing/index.js";
import { createFileReleaseJournal } from "./file-release-journal.js";

describeReleaseJournalConformance("file journal", () => {
  const root = mkdtempSync(join(tmpdir(), "shipgate-journal-conf-"));
  const path = (service: string) => join(root, "devops/status", `release-${service}.journal.jsonl`);
  return {
    makeJournal: () => createFileReleaseJournal({ rootDir: root }),
    // Power loss mid-write: the last line loses its second half and its newline.
    truncateLastRecord: async (service) => {
      const text = readFileSync(path(service), "utf8");
      const start = text.slice(0, -1).lastIndexOf("\n") + 1;
      const last = text.slice(start, -1);
      writeFileSync(
        path(service),
        text.slice(0, start) + last.slice(0, Math.floor(last.length / 2)),
      );
    },
    plantRecord: async (service, value) =>
      appendFileSync(path(service), `${JSON.stringify(value)}\n`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
