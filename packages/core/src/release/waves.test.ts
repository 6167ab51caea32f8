import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { MemoryArtifactStore } from "../testing/fakes/memory-artifact-store.js";
import { runScenario } from "../testing/run-scenario.js";

const EXAMPLES = resolve(import.meta.dirname, "../../../../examples/scenarios");
const example = (name: string) => parse(readFileSync(`${EXAMPLES}/${name}.yaml`, "utf8"));
const files = (store: unknown) => (store as MemoryArtifactStore).files;

describe("release waves: held-in examples", () => {
  for (const name of ["waves-success", "waves-breach-rollback-all", "waves-breach-halt"]) {
    it(`${name} ends as it expects`, async () => {
      const r = await runScenario(example(name));
      expect(r.expectation.failures).toEqual([]);
      console.log(r.outcome, [...files(r.artifacts).keys()]);
      console.log(files(r.artifacts).get(r.outcome.paths.report!));
    });
  }
});
