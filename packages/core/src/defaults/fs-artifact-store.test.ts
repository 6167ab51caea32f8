import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFreshTempDir } from "../testing/temp-dir.js";
import { createFsArtifactStore } from "./fs-artifact-store.js";

describe("createFsArtifactStore", () => {
  const root = useFreshTempDir("shipgate-store-");

  it("creates nested artifacts once, returns the relative path, and never overwrites", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    const created = await store.createExclusive("devops/reports/release-v1.md", "first");
    expect(created._unsafeUnwrap()).toEqual({ path: "devops/reports/release-v1.md" });
    expect(readFileSync(join(root(), "devops/reports/release-v1.md"), "utf8")).toBe("first");
    const again = (
      await store.createExclusive("devops/reports/release-v1.md", "second")
    )._unsafeUnwrapErr();
    expect(again.kind).toBe("exists");
    expect(again.message).toContain("devops/reports/release-v1.md");
    expect(again.message).not.toContain(root());
    expect(readFileSync(join(root(), "devops/reports/release-v1.md"), "utf8")).toBe("first");
  });

  it("lets exactly one of many concurrent exclusive creates win", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.createExclusive("race/one.md", `writer ${i}`)),
    );
    expect(results.filter((r) => r.isOk())).toHaveLength(1);
    expect(results.filter((r) => r.isErr() && r.error.kind === "exists")).toHaveLength(19);
  });

  it("replaces status files atomically and leaves no temp files behind", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.writeStatus("devops/status/now.json", `{"n":${i}}`),
      ),
    );
    const text = (await store.read("devops/status/now.json"))._unsafeUnwrap();
    expect(text).toMatch(/^\{"n":\d\}$/);
    expect((await store.writeStatus("devops/status/now.json", "final"))._unsafeUnwrap()).toEqual({
      path: "devops/status/now.json",
    });
    expect((await store.read("devops/status/now.json"))._unsafeUnwrap()).toBe("final");
    expect(readdirSync(join(root(), "devops/status"))).toEqual(["now.json"]);
  });

  it("writes a status file at the root()", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    expect((await store.writeStatus("status.json", "1")).isOk()).toBe(true);
    expect(readFileSync(join(root(), "status.json"), "utf8")).toBe("1");
  });

  it("reads missing files as null and missing dirs as []", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    expect((await store.read("nope/x.md"))._unsafeUnwrap()).toBeNull();
    expect((await store.list("nope"))._unsafeUnwrap()).toEqual([]);
  });

  it("lists file names only, sorted, without directories or in-flight temp files", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    await store.createExclusive("incidents/b.md", "b");
    await store.createExclusive("incidents/a.md", "a");
    await store.createExclusive("incidents/sub/c.md", "c");
    writeFileSync(join(root(), "incidents", ".shipgate-tmp-a.md.1.abcd"), "partial");
    expect((await store.list("incidents"))._unsafeUnwrap()).toEqual(["a.md", "b.md"]);
    expect((await store.list(""))._unsafeUnwrap()).toEqual([]);
  });

  it("rejects paths that are absolute, use backslashes, or leave the root()", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    const bad = [
      "/etc/passwd",
      "../x.md",
      "a/../../b.md",
      "a/./b.md",
      "a//b.md",
      "a/",
      "",
      "C:\\x.md",
      "C:/x.md",
      "a\\b.md",
      "a\u0000b",
    ];
    for (const path of bad) {
      for (const call of [
        () => store.createExclusive(path, "x"),
        () => store.writeStatus(path, "x"),
        () => store.read(path),
      ]) {
        const error = (await call())._unsafeUnwrapErr();
        expect(error.kind, path).toBe("invalid_input");
        expect(error.field).toBe("path");
      }
    }
    expect((await store.list("../up"))._unsafeUnwrapErr().kind).toBe("invalid_input");
    expect(readdirSync(root())).toEqual([]);
  });

  it("reports a file in the way of a directory as a precondition, not as exists", async () => {
    const store = createFsArtifactStore({ rootDir: root() });
    writeFileSync(join(root(), "reports"), "a file");
    const error = (await store.createExclusive("reports/x.md", "x"))._unsafeUnwrapErr();
    expect(error.kind).toBe("precondition_failed");
  });
});
