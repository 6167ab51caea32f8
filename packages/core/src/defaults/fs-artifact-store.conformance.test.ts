import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeArtifactStoreConformance } from "../testing/index.js";
import { createFsArtifactStore } from "./fs-artifact-store.js";

describeArtifactStoreConformance("fs store", () => {
  const root = mkdtempSync(join(tmpdir(), "shipgate-store-conf-"));
  return {
    store: createFsArtifactStore({ rootDir: root }),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});
