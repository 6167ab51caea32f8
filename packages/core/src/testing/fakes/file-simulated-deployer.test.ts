import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { describeDeployerConformance } from "../conformance/deployer-conformance.js";
import { createFileSimulatedDeployer } from "./file-simulated-deployer.js";

const root = mkdtempSync(join(tmpdir(), "shipgate-file-deployer-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const target = {
  service: "shop",
  environment: "production",
  version: "v2.0.0",
  sha: "a".repeat(40),
};
const live = () => ({ signal: new AbortController().signal });

let n = 0;
describeDeployerConformance("simulated deployer with its state in a file", () => ({
  deployer: createFileSimulatedDeployer({
    statePath: join(root, `conformance-${++n}.json`),
    stableVersion: "v1.0.0",
    services: ["shop"],
  }),
  target,
  secondTarget: { ...target, version: "v2.1.0" },
  missingTarget: { ...target, service: "nope" },
}));

describe("createFileSimulatedDeployer", () => {
  it("keeps the platform's state in its file: a second process (instance) sees the canary where the first left it", async () => {
    const statePath = join(root, "shared.json");
    const first = createFileSimulatedDeployer({ statePath, stableVersion: "v1.0.0" });
    (await first.start(target, live()))._unsafeUnwrap();
    (await first.setWeight(target, 25, live()))._unsafeUnwrap();
    const second = createFileSimulatedDeployer({ statePath, stableVersion: "v1.0.0" });
    expect((await second.status(target, live()))._unsafeUnwrap()).toMatchObject({
      canaryVersion: "v2.0.0",
      canaryWeight: 25,
    });
    (await second.abort(target, live()))._unsafeUnwrap();
    (await second.rollback(target, live()))._unsafeUnwrap();
    (await second.rollback(target, live()))._unsafeUnwrap();
    const saved = JSON.parse(readFileSync(statePath, "utf8"));
    expect(saved).toMatchObject({
      stableVersion: "v1.0.0",
      canaryVersion: null,
      weight: 0,
      phase: "healthy",
    });
    expect(
      saved.actions.map(
        (a: { action: string; effective?: boolean }) =>
          `${a.action}${a.effective === undefined ? "" : `:${a.effective}`}`,
      ),
    ).toEqual(["start", "setWeight", "abort", "rollback:true", "rollback:false"]);
  });
});
