const marker = Symbol.for("shipgate.error");

/**
 * What went wrong, as a stable discriminant. Adapters map their vendor's failures onto
 * these; core decides what each means for the release.
 */
export type ShipgateErrorKind =
  /** A value given to a call or a config was invalid; `field` names it. */
  | "invalid_input"
  /** The caller's `AbortSignal` fired. */
  | "aborted"
  /** The vendor did not answer in time. */
  | "timeout"
  /** Credentials missing, invalid or lacking a scope (HTTP 401/403). */
  | "auth"
  /** The thing asked for does not exist (HTTP 404), e.g. a repository or a Rollout. */
  | "not_found"
  /** The thing to create exists already, or a concurrent writer won (HTTP 409). */
  | "conflict"
  /** The vendor refused because of a rate limit and retries ran out. */
  | "rate_limited"
  /** The vendor failed (5xx, network) and retries ran out. */
  | "unavailable"
  /** The vendor rejected a query or configuration (e.g. bad PromQL). */
  | "bad_query"
  /** The vendor answered with something that does not match its own contract. */
  | "invalid_response"
  /** The adapter cannot do this on this backend. */
  | "unsupported"
  /** A lock is held by someone else. */
  | "lock_held"
  /** An artifact already exists and must not be overwritten. */
  | "exists"
  /** A precondition of the operation does not hold (e.g. deployer preflight). */
  | "precondition_failed"
  /** Anything else: a bug or an unexpected throw, caught at a boundary. */
  | "internal";

/** Options for {@link ShipgateError}. */
export interface ShipgateErrorOptions {
  /** The config key or input field at fault, dotted (`slo.window_minutes`). */
  field?: string;
  /** A short, secret-free description of the request that failed (`GET /repos/o/r/commits/abc`). */
  request?: string;
  /** The vendor's own message, passed on verbatim (minus secrets). */
  vendorMessage?: string;
  /** HTTP status where there was one. */
  status?: number;
  /** How long the vendor asked us to wait, in ms, where it said so. */
  retryAfterMs?: number;
  /** Whether trying again later may succeed. */
  retryable?: boolean;
  /** What the user can do about it. */
  hint?: string;
  /** Structured details (e.g. the lock holder). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error type that travels inside shipgate's `Result`s. It is a class so it has a
 * stack and a `cause`, but code should test it with {@link ShipgateError.isInstance},
 * which works across duplicate copies of this package.
 *
 * @example
 * ```ts
 * return errAsync(new ShipgateError("auth", "GitHub token lacks the `checks:read` scope", {
 *   status: 403, request: "GET /repos/acme/api/commits/abc/check-runs",
 *   hint: "Grant the token read access to checks",
 * }));
 * ```
 */
export class ShipgateError<K extends ShipgateErrorKind = ShipgateErrorKind> extends Error {
  readonly [marker] = true;
  override readonly name = "ShipgateError";
  readonly kind: K;
  readonly field: string | undefined;
  readonly request: string | undefined;
  readonly vendorMessage: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(kind: K, message: string, options: ShipgateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.field = options.field;
    this.request = options.request;
    this.vendorMessage = options.vendorMessage;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable =
      options.retryable ??
      (kind === "unavailable" || kind === "rate_limited" || kind === "timeout");
    this.hint = options.hint;
    this.details = options.details;
  }

  /** True for any `ShipgateError`, whichever copy of the package made it. */
  static isInstance(value: unknown): value is ShipgateError {
    return typeof value === "object" && value !== null && marker in value;
  }

  /** One line for a terminal or a report: message, request and hint. */
  describe(): string {
    const parts = [this.message];
    if (this.field) parts.push(`(field: ${this.field})`);
    if (this.request) parts.push(`[${this.request}]`);
    if (this.vendorMessage && !this.message.includes(this.vendorMessage)) {
      parts.push(`— ${this.vendorMessage}`);
    }
    if (this.hint) parts.push(`Hint: ${this.hint}`);
    return parts.join(" ");
  }

  /** A plain, JSON-safe object (for NDJSON events and status files). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      field: this.field,
      request: this.request,
      vendorMessage: this.vendorMessage,
      status: this.status,
      retryable: this.retryable,
      hint: this.hint,
      details: this.details,
    };
  }
}

/** Wraps anything thrown into a {@link ShipgateError} (kind `internal` unless it already is one). */
export function toShipgateError(value: unknown, message = "Unexpected error"): ShipgateError {
  if (ShipgateError.isInstance(value)) return value;
  if (isAbortError(value))
    return new ShipgateError("aborted", "The operation was aborted", { cause: value });
  const text = value instanceof Error ? value.message : String(value);
  return new ShipgateError("internal", `${message}: ${text}`, { cause: value });
}

/** True for DOM-style abort errors (`AbortError`, `TimeoutError`) from fetch and timers. */
export function isAbortError(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    "name" in value &&
    ((value as { name: unknown }).name === "AbortError" ||
      (value as { name: unknown }).name === "TimeoutError")
  );
}

/** The error to return when a signal has fired before or during a call. */
export function abortedError(signal?: AbortSignal): ShipgateError<"aborted"> {
  return new ShipgateError("aborted", "The operation was aborted", { cause: signal?.reason });
}
