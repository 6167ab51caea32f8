import type { ResultAsync } from "neverthrow";
import { afterEach, describe, expect, it } from "vitest";
import type { ShipgateError } from "../../errors/shipgate-error.js";
import type { HttpTransportOptions } from "../../util/http-transport-options.js";
import type { InjectedFault } from "../emulator/injected-fault.js";

/** The transport settings the suite varies; adapters map them onto their own options. */
export type HttpTransportSettings = Pick<
  HttpTransportOptions,
  "maxRetries" | "maxRetryWaitMs" | "requestTimeoutMs"
>;

/** One adapter, warmed up against a fresh emulator: what {@link describeHttpTransportConformance} drives. */
export interface HttpTransportUnderTest {
  /** A read the adapter may retry (e.g. listing checks); succeeds when the emulator answers normally. */
  read: (signal: AbortSignal) => ResultAsync<unknown, ShipgateError>;
  /** The requests `read` sends, which faults target. */
  readPath: RegExp;
  /** Injects a fault into the emulator. */
  fail: (fault: InjectedFault) => void;
  /**
   * Requests the emulator received since the adapter was warmed up; with a `status`, the
   * suite also checks that a cancelled request was closed on the socket (-2).
   */
  requests: () => readonly { url: string; status?: number }[];
  close: () => Promise<void>;
}

/**
 * The retry, rate-limit, timeout and cancellation behaviour every HTTP adapter's transport
 * shares, run against the adapter's emulator. `start` gets the settings of each case (with a
 * tiny retry back-off of its own choosing) and returns a warmed-up adapter.
 *
 * @example
 * ```ts
 * describeHttpTransportConformance("gitlab", async (settings) => {
 *   const gitlab = await startGitLabEmulator();
 *   const s = seedGitLabReleaseScenario(gitlab);
 *   const { ci } = createGitLabProvider({ …, transport: { retryBaseDelayMs: 1, ...settings } });
 *   return { read: (signal) => ci.listChecks(s.greenSha, { signal }), readPath: /\/pipelines/,
 *     fail: gitlab.fail, requests: () => gitlab.requests, close: gitlab.close };
 * });
 * ```
 */
export function describeHttpTransportConformance(
  name: string,
  start: (settings: HttpTransportSettings) => Promise<HttpTransportUnderTest>,
): void {
  describe(`HTTP transport conformance: ${name}`, () => {
    let open: HttpTransportUnderTest[] = [];
    const stack = async (settings: HttpTransportSettings = {}) => {
      const t = await start(settings);
      open.push(t);
      return t;
    };
    const attempts = (t: HttpTransportUnderTest) =>
      t.requests().filter((r) => t.readPath.test(r.url)).length;
    const live = () => new AbortController().signal;

    afterEach(async () => {
      await Promise.all(open.map((t) => t.close()));
      open = [];
    });

    it("waits as long as Retry-After says on a 429, then succeeds", async () => {
      const t = await stack();
      t.fail({
        path: t.readPath,
        times: 2,
        respond: { status: 429, headers: { "retry-after": "0" } },
      });
      expect((await t.read(live())).isOk()).toBe(true);
      expect(attempts(t)).toBe(3);
    });

    it("gives up at once when asked to wait longer than the configured maximum", async () => {
      const t = await stack({ maxRetryWaitMs: 5_000 });
      t.fail({ path: t.readPath, respond: { status: 429, headers: { "retry-after": "3600" } } });
      const error = (await t.read(live()))._unsafeUnwrapErr();
      expect(error).toMatchObject({
        kind: "rate_limited",
        status: 429,
        retryAfterMs: 3_600_000,
        retryable: true,
      });
      expect(attempts(t)).toBe(1);
    });

    it("retries 5xx and dropped connections on reads, within the bound", async () => {
      const t = await stack({ maxRetries: 3 });
      t.fail({ path: t.readPath, respond: { status: 502 } });
      t.fail({ path: t.readPath, respond: { destroy: true } });
      t.fail({ path: t.readPath, respond: { status: 500 } });
      expect((await t.read(live())).isOk()).toBe(true);
      expect(attempts(t)).toBe(4);

      const persistent = await stack({ maxRetries: 3 });
      persistent.fail({ path: persistent.readPath, times: 10, respond: { status: 503 } });
      const error = (await persistent.read(live()))._unsafeUnwrapErr();
      expect(error).toMatchObject({ kind: "unavailable", status: 503 });
      expect(attempts(persistent)).toBe(4);
    });

    it("reports a malformed JSON answer as invalid_response", async () => {
      const t = await stack();
      t.fail({ path: t.readPath, respond: { rawBody: '{"value": [{"id": 1,' } });
      expect((await t.read(live()))._unsafeUnwrapErr().kind).toBe("invalid_response");
    });

    it("times out a hung request, retries within the bound, then reports timeout", async () => {
      const t = await stack({ requestTimeoutMs: 50, maxRetries: 1 });
      t.fail({ path: t.readPath, times: 2, respond: { hangMs: 2_000 } });
      const started = Date.now();
      expect((await t.read(live()))._unsafeUnwrapErr().kind).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(attempts(t)).toBe(2);
    });

    it("recovers when only the first attempt hangs", async () => {
      const t = await stack({ requestTimeoutMs: 50, maxRetries: 2 });
      t.fail({ path: t.readPath, respond: { hangMs: 2_000 } });
      expect((await t.read(live())).isOk()).toBe(true);
    });

    it("resolves to aborted promptly when the caller cancels mid-request", async () => {
      const t = await stack();
      t.fail({ path: t.readPath, respond: { hangMs: 2_000 } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("user pressed ctrl-c")), 30);
      const started = Date.now();
      expect((await t.read(controller.signal))._unsafeUnwrapErr().kind).toBe("aborted");
      expect(Date.now() - started).toBeLessThan(500);
      // The abort reached the socket, not only the caller.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const sent = t.requests().find((r) => t.readPath.test(r.url));
      if (sent?.status !== undefined) expect(sent.status).toBe(-2);
    });

    it("resolves to aborted during a rate-limit wait", async () => {
      const t = await stack();
      t.fail({ path: t.readPath, respond: { status: 429, headers: { "retry-after": "30" } } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const started = Date.now();
      expect((await t.read(controller.signal))._unsafeUnwrapErr().kind).toBe("aborted");
      expect(Date.now() - started).toBeLessThan(500);
    });
  });
}
