import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeIncidentSinkConformance } from "../testing/index.js";
import { createFileIncidentSink } from "./file-incident-sink.js";
import { createFsArtifactStore } from "./fs-artifact-store.js";

describeIncidentSinkConformance("file incidents", () => {
  const root = mkdtempSync(join(tmpdir(), "shipgate-inc-conf-"));
  const store = createFsArtifactStore({ rootDir: root });
  return {
    sink: createFileIncidentSink({ store }),
    readBack: async (ref) => (ref.path ? (await store.read(ref.path)).unwrapOr(null) : null),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
