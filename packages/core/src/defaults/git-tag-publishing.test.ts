import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSshSigningKey } from "../testing/ssh-signing-key.js";
import { FastImportStream, TestRepo } from "../testing/test-git-repo.js";
import { createGitSourceControl, type GitSourceControlOptions } from "./git-source-control.js";

const live = () => ({ signal: new AbortController().signal });
const onPath = (binary: string) =>
  (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
const sshKeygen = onPath("ssh-keygen");
const gpgBinary = onPath("gpg");

// In CI (.ci/run sets SHIPGATE_REQUIRE_SERVERS=1) a missing signing tool is a failure, not a skip.
if (process.env.SHIPGATE_REQUIRE_SERVERS === "1" && (!sshKeygen || !gpgBinary)) {
  describe("tag signing tools", () => {
    it("needs ssh-keygen and gpg on PATH (SHIPGATE_REQUIRE_SERVERS=1)", () => {
      throw new Error("ssh-keygen and gpg are required (SHIPGATE_REQUIRE_SERVERS=1)");
    });
  });
}
const tagger = { name: "Release Bot", email: "bot@example.com" };

/** git outside the repository under test (a bare remote, a fresh clone), no user config. */
function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
  }).trim();
}

function tryGit(cwd: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: git(cwd, args) };
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    return { ok: false, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** A fresh repository whose `main` holds one commit by Alice; `head` is its sha. */
function repoWithOneCommit(): { repo: TestRepo; head: string } {
  const repo = TestRepo.create();
  const s = new FastImportStream();
  const root = s.commit({
    ref: "refs/heads/main",
    author: { name: "Alice", email: "alice@example.com", time: 1_767_225_600 },
    message: "init\n",
    files: { "README.md": "shop\n" },
  });
  return { repo, head: repo.import(s).get(root)! };
}

describe.skipIf(!sshKeygen)(
  `git source control: tags pushed to the remote and signed${sshKeygen ? "" : " — skipped: ssh-keygen is not installed"}`,
  () => {
    let tmp: string;
    let repo: TestRepo;
    let remote: string;
    let head = "";
    let keyFile = "";
    let fingerprint = "";
    let allowedSigners = "";

    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), "shipgate-tag-publish-"));
      ({ repo, head } = repoWithOneCommit());
      remote = join(tmp, "remote.git");
      git(tmp, ["init", "-q", "--bare", remote]);
      repo.git(["remote", "add", "origin", remote]);
      repo.git(["push", "-q", "origin", "main"]);
      // A throwaway SSH key and the allowed_signers file a verifier would keep.
      ({ keyFile, fingerprint, allowedSigners } = createSshSigningKey(
        tmp,
        "release_key",
        "release@acme",
        "bot@example.com",
      ));
    });
    afterAll(() => {
      repo?.remove();
      rmSync(tmp, { recursive: true, force: true });
    });

    const sc = (extra: Partial<GitSourceControlOptions> = {}) =>
      createGitSourceControl({ cwd: repo.dir, tagger, ...extra });
    const onRemote = (name: string) =>
      tryGit(remote, ["rev-parse", "--verify", "--quiet", `refs/tags/${name}^{commit}`]);
    const local = (name: string) =>
      tryGit(repo.dir, ["rev-parse", "--verify", "--quiet", `refs/tags/${name}`]);
    const tag = (name: string, extra: Partial<GitSourceControlOptions> = {}) =>
      sc(extra).createAnnotatedTag({ name, sha: head, message: `Release ${name}` }, live());

    it("pushes the annotated tag to origin by default when origin is configured", async () => {
      const created = await tag("v1.0.0");
      expect(created._unsafeUnwrap()).toMatchObject({
        name: "v1.0.0",
        sha: head,
        annotated: true,
        pushedTo: "origin",
      });
      expect(onRemote("v1.0.0")).toEqual({ ok: true, out: head });
      expect(git(remote, ["cat-file", "-t", "refs/tags/v1.0.0"])).toBe("tag");
    });

    it("push: false keeps the tag local; no remote means no push by default", async () => {
      const kept = (await tag("v1.0.1", { push: false }))._unsafeUnwrap();
      expect(kept.pushedTo).toBeUndefined();
      expect(onRemote("v1.0.1").ok).toBe(false);
      const other = (await tag("v1.0.2", { remote: "upstream" }))._unsafeUnwrap();
      expect(other.pushedTo).toBeUndefined();
      expect(onRemote("v1.0.2").ok).toBe(false);
    });

    it("push: true to a remote that does not exist is refused before tagging", async () => {
      const refused = await tag("v1.0.3", { push: true, remote: "upstream" });
      const error = refused._unsafeUnwrapErr();
      expect(error.kind).toBe("precondition_failed");
      expect(error.field).toBe("remote");
      expect(error.message).toContain("no remote named upstream");
      expect(local("v1.0.3").ok).toBe(false);
    });

    it("a push rejected by the remote's pre-receive hook fails, removes the local tag, and a retry is clean", async () => {
      const hook = join(remote, "hooks", "pre-receive");
      writeFileSync(hook, "#!/bin/sh\necho 'tags are frozen during the audit' >&2\nexit 1\n");
      chmodSync(hook, 0o755);
      let rejected: Awaited<ReturnType<typeof tag>>;
      try {
        rejected = await tag("v1.1.0");
      } finally {
        unlinkSync(hook);
      }
      const error = rejected._unsafeUnwrapErr();
      expect(error.kind).toBe("precondition_failed");
      expect(error.field).toBe("push");
      expect(error.message).toBe(
        "The tag v1.1.0 could not be pushed to origin: ! [remote rejected] v1.1.0 -> v1.1.0 (pre-receive hook declined); the local tag was removed, nothing was deployed",
      );
      expect(error.vendorMessage).toContain("tags are frozen during the audit");
      expect(local("v1.1.0").ok).toBe(false);
      expect(onRemote("v1.1.0").ok).toBe(false);

      const retried = (await tag("v1.1.0"))._unsafeUnwrap();
      expect(retried.pushedTo).toBe("origin");
      expect(onRemote("v1.1.0")).toEqual({ ok: true, out: head });
    });

    it("a tag the remote already has is a conflict, and the local tag is removed", async () => {
      git(remote, ["tag", "v1.2.0", head]);
      const error = (await tag("v1.2.0"))._unsafeUnwrapErr();
      expect(error.kind).toBe("conflict");
      expect(error.hint).toBe("origin already has a tag v1.2.0: bump the version");
      expect(local("v1.2.0").ok).toBe(false);
    });

    it("signs with an SSH key file; git tag --verify passes on a fresh clone of the remote", async () => {
      const signed = (await tag("v2.0.0", { sign: "ssh", signingKey: keyFile }))._unsafeUnwrap();
      expect(signed.signature).toEqual({
        format: "ssh",
        fingerprint,
        signer: "Release Bot <bot@example.com>",
      });
      expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const clone = join(tmp, "clone-ssh");
      git(tmp, ["clone", "-q", remote, clone]);
      const verified = execFileSync(
        "git",
        ["-c", `gpg.ssh.allowedSignersFile=${allowedSigners}`, "tag", "--verify", "v2.0.0"],
        { cwd: clone, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      expect(verified).toContain("tag v2.0.0");
      const result = execFileSync(
        "sh",
        ["-c", `git -c gpg.ssh.allowedSignersFile=${allowedSigners} tag --verify v2.0.0 2>&1`],
        { cwd: clone, encoding: "utf8" },
      );
      expect(result).toContain(
        `Good "git" signature for bot@example.com with ED25519 key ${fingerprint}`,
      );
      // An unsigned tag fails the same check: the verification above is not vacuous.
      expect(
        tryGit(clone, [
          "-c",
          `gpg.ssh.allowedSignersFile=${allowedSigners}`,
          "tag",
          "--verify",
          "v1.0.0",
        ]).ok,
      ).toBe(false);
    });

    it("reads the key path from an environment variable", async () => {
      const signed = (
        await tag("v2.0.1", {
          sign: "ssh",
          signingKey: { env: "RELEASE_SIGNING_KEY" },
          env: { RELEASE_SIGNING_KEY: keyFile },
        })
      )._unsafeUnwrap();
      expect(signed.signature?.fingerprint).toBe(fingerprint);
      expect(onRemote("v2.0.1").ok).toBe(true);
    });

    it("follows git's own tag.gpgSign and gpg.format when sign is not given", async () => {
      repo.git(["config", "tag.gpgSign", "true"]);
      repo.git(["config", "gpg.format", "ssh"]);
      repo.git(["config", "user.signingkey", keyFile]);
      try {
        const signed = (await tag("v2.0.2"))._unsafeUnwrap();
        expect(signed.signature).toMatchObject({ format: "ssh", fingerprint });
        expect(git(repo.dir, ["cat-file", "tag", "v2.0.2"])).toContain(
          "-----BEGIN SSH SIGNATURE-----",
        );
        // sign: false wins over git's configuration.
        const plain = (await tag("v2.0.3", { sign: false }))._unsafeUnwrap();
        expect(plain.signature).toBeUndefined();
        expect(git(repo.dir, ["cat-file", "tag", "v2.0.3"])).not.toContain("SIGNATURE");
      } finally {
        repo.git(["config", "--unset", "tag.gpgSign"]);
        repo.git(["config", "--unset", "gpg.format"]);
        repo.git(["config", "--unset", "user.signingkey"]);
      }
    });

    it("a missing or wrong key is a clear error before anything is tagged", async () => {
      const none = (await tag("v3.0.0", { sign: "ssh" }))._unsafeUnwrapErr();
      expect(none).toMatchObject({ kind: "precondition_failed", field: "signingKey" });
      expect(none.message).toBe("Tags are to be signed with SSH but no key is set");

      const unset = (
        await tag("v3.0.0", { sign: "ssh", signingKey: { env: "NO_SUCH_KEY_VAR" }, env: {} })
      )._unsafeUnwrapErr();
      expect(unset.message).toBe(
        "signingKey names the environment variable NO_SUCH_KEY_VAR, which is not set",
      );

      const junk = join(tmp, "not-a-key");
      writeFileSync(junk, "hello\n");
      const wrong = (await tag("v3.0.0", { sign: "ssh", signingKey: junk }))._unsafeUnwrapErr();
      expect(wrong).toMatchObject({ kind: "precondition_failed", field: "signingKey" });
      expect(wrong.message).toBe(`The SSH signing key ${junk} cannot be used`);

      const missing = (
        await tag("v3.0.0", { sign: "ssh", signingKey: join(tmp, "absent_key") })
      )._unsafeUnwrapErr();
      expect(missing.field).toBe("signingKey");

      expect(local("v3.0.0").ok).toBe(false);
      expect(onRemote("v3.0.0").ok).toBe(false);
    });
  },
);

describe.skipIf(!gpgBinary)(
  `git source control: GPG-signed tags${gpgBinary ? "" : " — skipped: gpg is not installed"}`,
  () => {
    let tmp: string;
    let repo: TestRepo;
    let head = "";
    let fingerprint = "";
    const savedHome = process.env.GNUPGHOME;
    const gpg = (args: string[]) =>
      execFileSync("gpg", ["--batch", ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });

    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), "sg-gpg-"));
      // A throwaway keyring: git and gpg (children of this worker) both read GNUPGHOME.
      process.env.GNUPGHOME = join(tmp, "gnupg");
      execFileSync("mkdir", ["-m", "700", process.env.GNUPGHOME]);
      gpg([
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "--quick-gen-key",
        "Release Bot <bot@example.com>",
        "ed25519",
        "sign",
        "never",
      ]);
      fingerprint = gpg(["--with-colons", "--list-secret-keys"])
        .split("\n")
        .find((l) => l.startsWith("fpr:"))!
        .split(":")[9]!;
      ({ repo, head } = repoWithOneCommit());
    });
    afterAll(() => {
      try {
        execFileSync("gpgconf", ["--kill", "gpg-agent"], { stdio: "ignore" });
      } catch {
        // No agent was started.
      }
      if (savedHome === undefined) delete process.env.GNUPGHOME;
      else process.env.GNUPGHOME = savedHome;
      repo?.remove();
      rmSync(tmp, { recursive: true, force: true });
    });

    it("signs with the key of the committer's email, records its fingerprint, and verifies", async () => {
      const sc = createGitSourceControl({ cwd: repo.dir, tagger, sign: "gpg" });
      const signed = (
        await sc.createAnnotatedTag(
          { name: "v1.0.0", sha: head, message: "Release v1.0.0" },
          live(),
        )
      )._unsafeUnwrap();
      expect(fingerprint).toMatch(/^[0-9A-F]{40}$/);
      expect(signed.signature).toEqual({
        format: "gpg",
        fingerprint,
        signer: "Release Bot <bot@example.com>",
      });
      const verify = execFileSync("sh", ["-c", "git verify-tag --raw v1.0.0 2>&1"], {
        cwd: repo.dir,
        encoding: "utf8",
      });
      expect(verify).toContain(`VALIDSIG ${fingerprint}`);
    });

    it("an unknown key id is refused before tagging", async () => {
      const sc = createGitSourceControl({
        cwd: repo.dir,
        tagger,
        sign: "gpg",
        signingKey: "nobody@example.com",
      });
      const error = (
        await sc.createAnnotatedTag({ name: "v1.0.1", sha: head, message: "m" }, live())
      )._unsafeUnwrapErr();
      expect(error).toMatchObject({ kind: "precondition_failed", field: "signingKey" });
      expect(error.message).toBe("No GPG secret key for nobody@example.com");
      expect(repo.git(["tag", "--list", "v1.0.1"])).toBe("");
    });
  },
);
