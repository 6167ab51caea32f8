import { err, ok, type Result } from "neverthrow";
import type { Clock } from "../contracts/clock.js";
import type { SmokeCheck } from "../contracts/smoke-check.js";
import { abortedError, ShipgateError } from "../errors/shipgate-error.js";
import type { SmokeCheckSpec } from "../model/release-spec.js";
import { runSmokeAttempts, type SmokeAttemptOutcome, smokeRetryTiming } from "./smoke-attempts.js";

/** An HTTP smoke check as declared in the release spec (defaults applied). */
export type HttpSmokeCheckSpec = Extract<SmokeCheckSpec, { type: "http" }>;

/** Dependencies of {@link createHttpSmokeCheck}; all optional. */
export interface HttpSmokeCheckDeps {
  /** Injected in tests or to add a proxy; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Used only for the pauses between retries; defaults to real time. */
  clock?: Clock;
  /** Pause between a failed attempt and the next, in ms (default 1000). */
  retryDelayMs?: number;
}

/** At most this much of a response body is read for `body_match`: a health page is small. */
export const MAX_SMOKE_BODY_BYTES = 1024 * 1024;

/**
 * A smoke check that sends one HTTP request per attempt and passes when the status is
 * `expect_status` and, if given, the text body matches the `body_match` regular expression.
 *
 * Each attempt has its own `timeout_ms`; a failed attempt is retried `retries` more times,
 * `retryDelayMs` apart. A probe that never passes resolves to `ok({ passed: false })` with
 * what the last attempt saw; only the caller's abort (or an invalid `body_match`) is an error.
 * The URL in `detail` never carries credentials.
 *
 * @example
 * ```ts
 * const check = createHttpSmokeCheck({
 *   type: "http", name: "healthz", method: "GET", url: "https://checkout.internal/healthz",
 *   expect_status: 200, body_match: "ok", timeout_ms: 5000, retries: 2,
 * });
 * const result = await check.run(context, { signal });
 * // ok({ name: "healthz", passed: true, detail: "GET https://checkout.internal/healthz → 200 in 12 ms", attempts: 1, durationMs: 12 })
 * ```
 */
export function createHttpSmokeCheck(
  spec: HttpSmokeCheckSpec,
  deps: HttpSmokeCheckDeps = {},
): SmokeCheck {
  const { clock, retryDelayMs } = smokeRetryTiming(deps);
  const safeUrl = redactUrl(spec.url);
  // fetch refuses URLs with credentials; send them as Basic auth instead, like curl does.
  const { url: requestUrl, authorization } = splitCredentials(spec.url);
  const label = `${spec.method} ${safeUrl}`;
  // Follow redirects unless the check expects one: then the 3xx itself is the answer.
  const redirect: "manual" | "follow" =
    spec.expect_status >= 300 && spec.expect_status < 400 ? "manual" : "follow";

  let bodyPattern: RegExp | undefined;
  let patternError: ShipgateError | undefined;
  if (spec.body_match !== undefined) {
    try {
      bodyPattern = new RegExp(spec.body_match);
    } catch (thrown) {
      patternError = new ShipgateError(
        "invalid_input",
        `smoke check ${spec.name}: body_match is not a valid regular expression: ${(thrown as Error).message}`,
        { field: "smoke_checks.body_match", cause: thrown },
      );
    }
  }

  const attempt = async (
    signal: AbortSignal,
  ): Promise<Result<SmokeAttemptOutcome, ShipgateError>> => {
    const doFetch = deps.fetch ?? globalThis.fetch;
    const timeout = AbortSignal.timeout(spec.timeout_ms);
    const combined = AbortSignal.any([signal, timeout]);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (why: string): Result<SmokeAttemptOutcome, ShipgateError> =>
      ok({ passed: false, detail: `${label}: ${why}`, elapsedMs: elapsed() });
    try {
      const headers: Record<string, string> = { "user-agent": "shipgate-smoke-check" };
      if (authorization) headers.authorization = authorization;
      const response = await doFetch(requestUrl, {
        method: spec.method,
        redirect,
        signal: combined,
        headers,
      });
      if (response.status !== spec.expect_status) {
        await response.body?.cancel().catch(() => undefined);
        return failed(`expected ${spec.expect_status}, got ${response.status}`);
      }
      if (bodyPattern) {
        const text = await readTextCapped(response, MAX_SMOKE_BODY_BYTES);
        if (!bodyPattern.test(text)) return failed(`body did not match ${String(bodyPattern)}`);
      } else {
        await response.body?.cancel().catch(() => undefined);
      }
      return ok({
        passed: true,
        detail: `${label} → ${response.status} in ${elapsed()} ms`,
        elapsedMs: elapsed(),
      });
    } catch (thrown) {
      // The caller's abort is an error; our own per-attempt timeout is a failed probe.
      if (signal.aborted) return err(abortedError(signal));
      if (timeout.aborted) return failed(`timed out after ${spec.timeout_ms} ms`);
      // A vendor message may quote the URL; never let it carry credentials out.
      const reason = describeFetchFailure(thrown)
        .split(spec.url)
        .join(safeUrl)
        .split(requestUrl)
        .join(safeUrl);
      return failed(`request failed: ${reason}`);
    }
  };

  return {
    name: spec.name,
    run(_context, { signal }) {
      return runSmokeAttempts(
        spec.name,
        spec.retries,
        (s) => (patternError ? Promise.resolve(err(patternError)) : attempt(s)),
        { clock, retryDelayMs, signal },
      );
    },
  };
}

/** Reads the body as UTF-8 text, stopping (and cancelling the stream) after `maxBytes`. */
async function readTextCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let read = 0;
  try {
    while (read < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const chunk = value.byteLength > maxBytes - read ? value.subarray(0, maxBytes - read) : value;
      read += chunk.byteLength;
      text += decoder.decode(chunk, { stream: true });
    }
    await reader.cancel().catch(() => undefined);
    return text + decoder.decode();
  } finally {
    reader.releaseLock();
  }
}

function splitCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (!parsed.username && !parsed.password) return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  return {
    url: parsed.toString(),
    authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
  };
}

/** undici hides the useful part (`ECONNREFUSED`, `ENOTFOUND`) in `cause`. */
function describeFetchFailure(thrown: unknown): string {
  const cause = (thrown as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause && typeof cause.code === "string") return cause.code;
  if (cause && typeof cause.message === "string") return cause.message;
  return thrown instanceof Error ? thrown.message : String(thrown);
}

const SECRET_QUERY_KEY =
  /token|secret|passw|pwd|api[-_]?key|apikey|auth|signature|sig|credential|session/i;

/**
 * The URL as it may appear in a detail line, a report or a log: without `user:pass@`,
 * and with the values of query parameters whose names look secret replaced by `***`.
 *
 * @example
 * ```ts
 * redactUrl("https://bot:hunter2@api.local/healthz?token=abc&x=1");
 * // "https://api.local/healthz?token=***&x=1"
 * ```
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: drop anything that looks like userinfo rather than echo it.
    return url.replace(/\/\/[^/@]*@/, "//");
  }
  parsed.username = "";
  parsed.password = "";
  const keys = [...new Set(parsed.searchParams.keys())];
  if (keys.some((k) => SECRET_QUERY_KEY.test(k))) {
    const params = new URLSearchParams();
    for (const [key, value] of parsed.searchParams) {
      params.append(key, SECRET_QUERY_KEY.test(key) ? "***" : value);
    }
    // URLSearchParams would percent-encode "***"; keep it readable.
    parsed.search = params.toString().replace(/%2A%2A%2A/g, "***");
  }
  return parsed.toString();
}
