import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BIN, realTimeDemoArgs, useTempDir } from "./cli-harness.js";

/**
 * Our own tmux server (-L) per session, so nothing else on the machine is touched and one
 * test's server shutting down cannot race the next test's start.
 */
const socketOf = (session: string) => `shipgate-test-${process.pid}-${session}`;
const sessions = new Set<string>();
const tmuxOn = (session: string, ...args: string[]) =>
  execFileSync("tmux", ["-L", socketOf(session), ...args], { encoding: "utf8" });
const screen = (session: string) => tmuxOn(session, "capture-pane", "-p", "-t", session);
const cursorVisible = (session: string) =>
  tmuxOn(session, "display-message", "-p", "-t", session, "#{cursor_flag}").trim() === "1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(
  session: string,
  test: (text: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    last = screen(session);
    if (test(last)) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for the screen; last screen:\n${last}`);
}

const scratch = useTempDir("shipgate-tmux-test-");
let hasTmux = true;
beforeAll(() => {
  try {
    execFileSync("tmux", ["-V"]);
  } catch {
    hasTmux = false;
  }
});
afterEach(() => {
  for (const session of sessions) {
    try {
      tmuxOn(session, "kill-server");
    } catch {
      // no server left
    }
  }
  sessions.clear();
});

/** Starts the binary in a detached 100×40 terminal; the shell prints EXIT=<code> after it. */
function start(session: string, args: string[]): void {
  // The shell traps INT (a trap with a command is not inherited as "ignored") so Ctrl-C reaches
  // shipgate and the shell survives to print its exit code (and keeps the pane open after).
  const command = `trap ':' INT; ${process.execPath} ${BIN} ${args.join(" ")}; echo EXIT=$?; while :; do sleep 1; done`;
  sessions.add(session);
  tmuxOn(
    session,
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    "100",
    "-y",
    "40",
    "-c",
    scratch.path,
    "-e",
    "NO_COLOR=",
    "-e",
    "TERM=xterm-256color",
    command,
  );
}

describe("live view in a real terminal (tmux)", () => {
  it("redraws in place: CI gate, each step's weight, window and readings against the objective; restores the cursor", async (ctx) => {
    if (!hasTmux) ctx.skip();
    start(
      "live",
      realTimeDemoArgs({
        windowSeconds: 3,
        pollSeconds: 0.5,
        scenario: "breach",
        dir: join(scratch.path, "live"),
      }),
    );
    const running = await waitFor("live", (s) => /25%\s+[█░]+\s+\S+\/3s\s+err \d/.test(s));
    expect(running).toContain("✔ CI gate    4 checks green");
    expect(running).toContain("objective: error rate ≤ 1.00%, p95 ≤ 300 ms, window 3s");
    expect(running).toMatch(
      /✔\s+5%\s+█{10}\s+3s\/3s\s+err 0\.\d\d% ×[\d.]+\s+p95 \d+ ms ×[\d.]+\s+n [\d,]+\s+passed/,
    );
    expect(running).toMatch(/100%\s+pending/);
    // One block redrawn in place, not a growing log.
    expect(running.split("shipgate checkout v1.4.0 → production").length - 1).toBe(1);
    expect(cursorVisible("live")).toBe(false);

    const done = await waitFor("live", (s) => s.includes("EXIT="));
    expect(done).toContain("EXIT=3");
    expect(done).toMatch(/✖\s+25%.*err \d+\.\d\d% ×[\d.]+.*breached/);
    expect(done).toContain("✔ rollback   stable version v1.3.0 is serving");
    expect(done).toMatch(/ABORTED: p95 \d+ ms vs stable \d+ ms: [^\n]*/);
    expect(done.split("shipgate checkout v1.4.0 → production").length - 1).toBe(1);
    expect(cursorVisible("live")).toBe(true);
  });

  it("Ctrl-C in the terminal during a canary rolls back and exits 130", async (ctx) => {
    if (!hasTmux) ctx.skip();
    start(
      "ctrlc",
      realTimeDemoArgs({ windowSeconds: 60, pollSeconds: 0.5, dir: join(scratch.path, "ctrlc") }),
    );
    await waitFor("ctrlc", (s) => /5%\s+[█░]+\s+\S+\/1m00s\s+err \d/.test(s));
    tmuxOn("ctrlc", "send-keys", "-t", "ctrlc", "C-c");
    await sleep(50);
    tmuxOn("ctrlc", "send-keys", "-t", "ctrlc", "C-c");
    const done = await waitFor("ctrlc", (s) => s.includes("EXIT="));
    expect(done).toContain("EXIT=130");
    expect(done).toContain("✔ rollback");
    expect(done).toContain("CANCELLED: cancelled by the operator during the canary (exit 130)");
    expect(cursorVisible("ctrlc")).toBe(true);
  });
});
