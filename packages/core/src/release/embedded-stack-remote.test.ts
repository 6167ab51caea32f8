import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFrontMatter } from "../artifacts/front-matter.js";
import { createEmbeddedDefaults } from "../defaults/embedded-defaults.js";
import type { ReleaseStack } from "../model/release-stack.js";
import { createFakeCiProvider } from "../testing/fakes/fake-ci-provider.js";
import { createSimulatedDeployer } from "../testing/fakes/simulated-deployer.js";
import { createSimulatedSloSource } from "../testing/fakes/simulated-slo-source.js";
import { createSshSigningKey, type SshSigningKey } from "../testing/ssh-signing-key.js";
import {
  FastImportStream,
  shopRootCommit,
  TestRepo,
  testAuthor,
} from "../testing/test-git-repo.js";
import { shopReleaseInput } from "../testing/test-scenarios.js";
import { createVirtualClock } from "../testing/virtual-clock.js";
import { createReleaseOrchestrator } from "./orchestrator.js";

const cleanGit = (cwd: string, args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();

// The release's permanent record: the tag leaves the runner (pushed to a real bare remote),
// signed with an SSH key, and verifies on a fresh clone.
const sshKeygen = (process.env.PATH ?? "")
  .split(delimiter)
  .some((dir) => dir && existsSync(join(dir, "ssh-keygen")));

// The signing tools are required in CI; git-tag-publishing.test.ts fails there without them.
describe.skipIf(!sshKeygen)(
  `release on the embedded stack against a real bare remote${sshKeygen ? "" : " — skipped: ssh-keygen is not installed"}`,
  () => {
    let tmp: string;
    let repo: TestRepo;
    let remote: string;
    let head = "";
    let key: SshSigningKey;

    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), "shipgate-remote-release-"));
      repo = TestRepo.create();
      const s = new FastImportStream();
      let main = shopRootCommit(s);
      const base = main;
      main = s.commit({
        ref: "refs/heads/main",
        author: testAuthor("alice", 1),
        message: "feat(api): add bulk export (#1)\n",
        parents: [main],
        files: { "src/api/export.ts": "1\n" },
      });
      const marks = repo.import(s);
      head = marks.get(main)!;
      repo.git(["tag", "-a", "v1.3.0", marks.get(base)!, "-m", "v1.3.0"]);
      remote = join(tmp, "origin.git");
      cleanGit(tmp, ["init", "-q", "--bare", remote]);
      repo.git(["remote", "add", "origin", remote]);
      repo.git(["push", "-q", "origin", "main", "v1.3.0"]);
      key = createSshSigningKey(tmp, "release_ed25519", "ci@acme", "bot@example.com");
    });
    afterAll(() => {
      repo?.remove();
      rmSync(tmp, { recursive: true, force: true });
    });

    const stack = () => {
      const clock = createVirtualClock();
      const deployer = createSimulatedDeployer({ stableVersion: "v1.3.0" });
      const built: ReleaseStack = {
        ...createEmbeddedDefaults({
          cwd: repo.dir,
          tagger: { name: "Release Bot", email: "bot@example.com" },
          sign: "ssh",
          signingKey: key.keyFile,
        }),
        clock,
        ci: createFakeCiProvider({ clock, checks: [{ name: "unit", conclusion: "success" }] }),
        deployer,
        slo: createSimulatedSloSource(deployer, {
          default: { error_rate: 0.001, p95_latency_ms: 90 },
        }),
      };
      return { stack: built, deployer };
    };
    const spec = (version: string) => ({
      ...shopReleaseInput(version, head),
      captain: "alice",
      dashboards: { Grafana: "https://grafana.example.com/d/shop" },
    });

    it("pushes the signed tag before the canary; it verifies on a fresh clone; the report names signer and fingerprint", async () => {
      const { stack: s } = stack();
      const events: string[] = [];
      const outcome = await createReleaseOrchestrator(s).release(spec("v1.4.0"), {
        onEvent: (e) => events.push(e.type),
      });
      expect(outcome.status).toBe("SUCCESS");
      // Pushed after tagging, before any traffic moved.
      expect(events.indexOf("tag.created")).toBeLessThan(events.indexOf("canary.step.started"));
      expect(cleanGit(remote, ["rev-parse", "refs/tags/v1.4.0^{commit}"])).toBe(head);

      const clone = join(tmp, "fresh-clone");
      cleanGit(tmp, ["clone", "-q", remote, clone]);
      const verify = execFileSync(
        "sh",
        [
          "-c",
          `git -c gpg.ssh.allowedSignersFile='${key.allowedSigners}' tag --verify v1.4.0 2>&1`,
        ],
        { cwd: clone, encoding: "utf8" },
      );
      expect(verify).toContain(
        `Good "git" signature for bot@example.com with ED25519 key ${key.fingerprint}`,
      );
      expect(cleanGit(clone, ["rev-parse", "v1.4.0^{commit}"])).toBe(head);

      const report = readFileSync(join(repo.dir, "devops/reports/release-v1.4.0.md"), "utf8");
      expect(report).toContain(`Tag \`v1.4.0\` → \`${head}\` (created and pushed to origin).`);
      expect(report).toContain(
        `Signed (ssh) by Release Bot <bot@example.com>, key \`${key.fingerprint}\`; check with \`git tag --verify v1.4.0\`.`,
      );
      expect(report).toContain("**Captain:** alice");
      expect(report).toContain("- **Grafana**: https://grafana.example.com/d/shop");
      expect(readFrontMatter(report)).toMatchObject({
        captain: "alice",
        tag_pushed_to: "origin",
        tag_signature: {
          format: "ssh",
          fingerprint: key.fingerprint,
          signer: "Release Bot <bot@example.com>",
        },
      });
    });

    it("a push the remote rejects stops the release before anything deploys, and a retry is clean", async () => {
      const hook = join(remote, "hooks", "pre-receive");
      writeFileSync(hook, "#!/bin/sh\necho 'release tags need a change ticket' >&2\nexit 1\n");
      chmodSync(hook, 0o755);
      const first = stack();
      let outcome: Awaited<ReturnType<ReturnType<typeof createReleaseOrchestrator>["release"]>>;
      try {
        outcome = await createReleaseOrchestrator(first.stack).release(spec("v1.5.0"));
      } finally {
        unlinkSync(hook);
      }
      expect(outcome).toMatchObject({ status: "FAILED", exitCode: 1, rolledBack: false });
      expect(outcome.summary).toContain(
        "tag failed: The tag v1.5.0 could not be pushed to origin: ! [remote rejected] v1.5.0 -> v1.5.0 (pre-receive hook declined)",
      );
      expect(first.deployer.state).toMatchObject({ canaryVersion: null, history: [] });
      expect(repo.git(["tag", "--list", "v1.5.0"])).toBe("");

      const retry = await createReleaseOrchestrator(stack().stack).release(spec("v1.5.0"));
      expect(retry.status).toBe("SUCCESS");
      expect(cleanGit(remote, ["rev-parse", "refs/tags/v1.5.0^{commit}"])).toBe(head);
    });
  },
);
