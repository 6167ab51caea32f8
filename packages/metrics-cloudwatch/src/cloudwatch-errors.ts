import { abortedError, isAbortError, ShipgateError } from "@shipgate/core";

/** Everything needed to explain one failed call. */
export interface CloudWatchFailureContext {
  signal: AbortSignal;
  timeoutSignal: AbortSignal;
  timeoutMs: number;
  /** Query ids in request order (`MetricDataQueries.member.N` is index N-1) with their config field. */
  queries: { id: string; field: string; text: string }[];
  authHint: string;
  endpoint: string;
}

const REQUEST = "POST / (GraniteServiceVersion20100801.GetMetricData)";

const BAD_QUERY = new Set([
  "ValidationError",
  "ValidationException",
  "InvalidParameterValue",
  "InvalidParameterValueException",
  "InvalidParameterCombination",
  "InvalidParameterCombinationException",
  "MissingParameter",
  "MissingRequiredParameterException",
]);
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
]);
const AUTH = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "InvalidSignatureException",
  "AccessDenied",
  "AccessDeniedException",
  "ExpiredToken",
  "ExpiredTokenException",
  "MissingAuthenticationToken",
  "CredentialsProviderError",
]);
const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

interface AwsErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number; requestId?: string };
  $response?: { headers?: Record<string, string> };
}

function retryAfterMs(error: AwsErrorShape): number | undefined {
  const raw = error.$response?.headers?.["retry-after"];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The query a CloudWatch validation message is about, by `member.N` or by quoted id. */
function culprit(message: string, queries: CloudWatchFailureContext["queries"]) {
  const member = /MetricDataQueries\.member\.(\d+)/.exec(message);
  if (member) {
    const q = queries[Number(member[1]) - 1];
    if (q) return [q];
  }
  const named = queries.filter((q) => new RegExp(`['"\\s]${q.id}['"\\s:]`).test(` ${message} `));
  return named.length > 0 ? named : queries;
}

/**
 * Maps what the AWS SDK threw (after its own retries) onto one {@link ShipgateError}:
 * validation errors → `bad_query` naming the query, throttling → `rate_limited`, bad or
 * missing credentials → `auth`, 5xx / network → `unavailable`, undecodable answers →
 * `invalid_response`, the caller's abort → `aborted`, the call's deadline → `timeout`.
 */
export function cloudWatchFailure(thrown: unknown, ctx: CloudWatchFailureContext): ShipgateError {
  if (ShipgateError.isInstance(thrown)) return thrown;
  if (ctx.signal.aborted) return abortedError(ctx.signal);
  if (ctx.timeoutSignal.aborted) {
    return new ShipgateError("timeout", `CloudWatch did not answer within ${ctx.timeoutMs} ms`, {
      request: REQUEST,
      cause: thrown,
      hint: "Raise timeout_ms, or check the AWS Health Dashboard",
    });
  }
  if (isAbortError(thrown)) return abortedError(ctx.signal);
  const e = (typeof thrown === "object" && thrown !== null ? thrown : {}) as AwsErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  // Query-compatible errors carry the classic code (`ValidationError`) next to the shape name.
  const code = e.Code ?? e.name ?? "Error";
  const vendorMessage = e.message?.slice(0, 500);
  const common = {
    status,
    request: REQUEST,
    vendorMessage,
    cause: thrown,
    details: {
      code,
      attempts,
      ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
    },
  };
  const after = attempts && attempts > 1 ? ` after ${attempts} attempts` : "";

  if (BAD_QUERY.has(code) || BAD_QUERY.has(e.name ?? "")) {
    const culprits = culprit(vendorMessage ?? "", ctx.queries);
    return new ShipgateError(
      "bad_query",
      `CloudWatch rejected the query (${code}): ${vendorMessage ?? "no reason given"} — ${culprits
        .map((q) => `${q.field} = ${q.text}`)
        .join("; ")}`,
      {
        ...common,
        field: culprits[0]?.field,
        hint: "Fix the metric, statistic, dimensions or expression; try it in the CloudWatch console first",
      },
    );
  }
  if (THROTTLING.has(code) || status === 429) {
    return new ShipgateError("rate_limited", `CloudWatch throttled GetMetricData${after}`, {
      ...common,
      retryAfterMs: retryAfterMs(e),
      hint: "Lower the polling rate, or ask AWS for a higher GetMetricData quota",
    });
  }
  if (AUTH.has(code) || AUTH.has(e.name ?? "") || status === 401 || status === 403) {
    return new ShipgateError(
      "auth",
      `CloudWatch refused the credentials (${code}): they need cloudwatch:GetMetricData in this account and region`,
      { ...common, hint: ctx.authHint },
    );
  }
  if (code === "InvalidNextToken") {
    return new ShipgateError(
      "invalid_response",
      "CloudWatch refused its own NextToken while paging GetMetricData",
      common,
    );
  }
  if (status === 404) {
    return new ShipgateError("not_found", `CloudWatch answered 404 at ${ctx.endpoint}`, {
      ...common,
      hint: "Check `region` and `endpoint`",
    });
  }
  if (status !== undefined && status >= 500) {
    return new ShipgateError(
      "unavailable",
      `CloudWatch failed with HTTP ${status}${after}`,
      common,
    );
  }
  if (NETWORK.has(e.code ?? "") || NETWORK.has(code)) {
    return new ShipgateError(
      "unavailable",
      `Could not reach CloudWatch at ${ctx.endpoint}${after}: ${vendorMessage ?? code}`,
      common,
    );
  }
  if (
    thrown instanceof SyntaxError ||
    e.name === "SyntaxError" ||
    /Deserialization error|Unexpected token|JSON/.test(vendorMessage ?? "")
  ) {
    return new ShipgateError(
      "invalid_response",
      `CloudWatch's response does not match the GetMetricData contract: ${vendorMessage}`,
      common,
    );
  }
  return new ShipgateError(
    "internal",
    `CloudWatch call failed unexpectedly (${code}${status ? `, HTTP ${status}` : ""}): ${vendorMessage}`,
    common,
  );
}
