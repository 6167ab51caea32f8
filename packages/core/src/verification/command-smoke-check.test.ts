import { describe, expect, it } from "vitest";
import type { SmokeCheckContext } from "../contracts/smoke-check.js";
import { conformanceSmokeCheckContext } from "../testing/conformance/fixtures.js";
import { liveSignal as live } from "../testing/conformance/run-safely.js";
import { createRecordingClock } from "../testing/recording-clock.js";
import { type CommandSmokeCheckSpec, createCommandSmokeCheck } from "./command-smoke-check.js";

const context: SmokeCheckContext = {
  ...conformanceSmokeCheckContext,
  service: "checkout",
  phase: "after_rollback",
  weight: 0,
};
const node = process.execPath;

const spec = (
  script: string,
  over: Partial<CommandSmokeCheckSpec> = {},
): CommandSmokeCheckSpec => ({
  type: "command",
  name: "smoke",
  command: [node, "-e", script],
  timeout_ms: 5000,
  retries: 0,
  ...over,
});

describe("createCommandSmokeCheck", () => {
  it("passes when the program exits 0", async () => {
    const check = createCommandSmokeCheck(spec("process.exit(0)"), {
      clock: createRecordingClock(),
    });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result).toMatchObject({ name: "smoke", passed: true, attempts: 1 });
    expect(result.detail).toMatch(/^node exited 0 in \d+ ms$/);
  });

  it("fails with the exit code and the last stderr line, without the arguments", async () => {
    const check = createCommandSmokeCheck(
      spec("console.error('first line'); console.error('  boom  '); process.exit(3)"),
      { clock: createRecordingClock() },
    );
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.detail).toMatch(/^node exited 3 in \d+ ms: boom$/);
    expect(result.detail).not.toContain("console.error");
  });

  it("trims a long stderr line to 200 characters", async () => {
    const check = createCommandSmokeCheck(spec("console.error('e'.repeat(500)); process.exit(1)"), {
      clock: createRecordingClock(),
    });
    const { detail } = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    const line = detail.slice(detail.indexOf(": ") + 2);
    expect(line.length).toBe(200);
    expect(line.endsWith("…")).toBe(true);
  });

  it("kills a command that outlives its timeout", async () => {
    const check = createCommandSmokeCheck(
      spec("setTimeout(() => {}, 60_000)", { timeout_ms: 200 }),
      {
        clock: createRecordingClock(),
      },
    );
    const started = Date.now();
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.passed).toBe(false);
    expect(result.detail).toBe("node timed out after 200 ms and was killed");
  });

  it("does not wait for a grandchild that keeps the output pipes open", async () => {
    // The command exits 0 at once, but the grandchild inherits stdout/stderr for 3 s.
    const script =
      "require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000)'], { stdio: 'inherit' }).unref(); process.exit(0)";
    const check = createCommandSmokeCheck(spec(script, { timeout_ms: 5000 }), {
      clock: createRecordingClock(),
    });
    const started = Date.now();
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.passed).toBe(true);
  });

  it("retries, sleeping on the clock, and counts attempts", async () => {
    const clock = createRecordingClock();
    const check = createCommandSmokeCheck(spec("process.exit(2)", { retries: 2 }), {
      clock,
      retryDelayMs: 300,
    });
    const result = (await check.run(context, { signal: live() }))._unsafeUnwrap();
    expect(result.passed).toBe(false);
    expect(result.attempts).toBe(3);
    expect(result.detail).toMatch(/^node exited 2 in \d+ ms \(3 attempts\)$/);
    expect(clock.sleeps).toEqual([300, 300]);
  });

  it("passes the release context in the environment", async () => {
    const script =
      "const e = process.env; process.exit(e.SHIPGATE_SERVICE === 'checkout' && e.SHIPGATE_ENVIRONMENT === 'production' && e.SHIPGATE_VERSION === 'v1.4.0' && e.SHIPGATE_PHASE === 'after_rollback' && e.SHIPGATE_WEIGHT === '0' && e.EXTRA === 'yes' ? 0 : 9)";
    const check = createCommandSmokeCheck(spec(script), {
      clock: createRecordingClock(),
      env: { PATH: process.env.PATH, EXTRA: "yes" },
    });
    expect((await check.run(context, { signal: live() }))._unsafeUnwrap().passed).toBe(true);
  });

  it("resolves to aborted quickly when the caller aborts mid-run", async () => {
    const check = createCommandSmokeCheck(
      spec("setTimeout(() => {}, 60_000)", { timeout_ms: 30_000 }),
      {
        clock: createRecordingClock(),
      },
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const result = await check.run(context, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result._unsafeUnwrapErr().kind).toBe("aborted");
  });

  it("is an invalid_input error when the program cannot be started", async () => {
    const check = createCommandSmokeCheck(
      {
        type: "command",
        name: "missing",
        command: ["./definitely-not-here-shipgate"],
        timeout_ms: 1000,
        retries: 3,
      },
      { clock: createRecordingClock() },
    );
    const result = await check.run(context, { signal: live() });
    const error = result._unsafeUnwrapErr();
    expect(error.kind).toBe("invalid_input");
    expect(error.message).toContain("ENOENT");
  });
});
