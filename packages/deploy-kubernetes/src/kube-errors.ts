import { ApiException } from "@kubernetes/client-node";
import { ShipgateError } from "@shipgate/core";

/** The `Status` object the API server sends with every failure (meta/v1). */
export interface KubeStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { field?: string; message?: string }[];
    retryAfterSeconds?: number;
  };
}

/** Parses an error body into a `Status`, or `null` when it is not one. */
export function parseKubeStatus(body: unknown): KubeStatus | null {
  let value: unknown = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (typeof value !== "object" || value === null) return null;
  const status = value as KubeStatus;
  return status.kind === "Status" || typeof status.message === "string" ? status : null;
}

/** What a failing request was, for the error's message (no secrets ever go here). */
export interface KubeRequestContext {
  /** `PATCH /apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/api/status` */
  request: string;
  /** The kubeconfig context in use. */
  context: string;
  namespace: string;
}

/** HTTP statuses worth another attempt (the API server's transient failures). */
export function isRetryableStatus(code: number): boolean {
  return code === 429 || code === 500 || code === 502 || code === 503 || code === 504;
}

/** Milliseconds the server asked us to wait (`Retry-After` header or Status details). */
export function retryAfterMs(error: ApiException<unknown>): number | undefined {
  const header = error.headers?.["retry-after"];
  if (header !== undefined && /^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const seconds = parseKubeStatus(error.body)?.details?.retryAfterSeconds;
  return typeof seconds === "number" ? seconds * 1000 : undefined;
}

/**
 * Maps an API server response code (with its `Status` body) onto a {@link ShipgateError}:
 * 401/403 → auth, 404 → not_found, 409 → conflict, 400/415/422 → bad_query,
 * 429 → rate_limited, 5xx → unavailable.
 */
export function kubeStatusError(
  code: number,
  body: unknown,
  ctx: KubeRequestContext,
  extra: { retryAfterMs?: number; cause?: unknown } = {},
): ShipgateError {
  const status = parseKubeStatus(body);
  const vendorMessage = status?.message || undefined;
  const base = {
    status: code,
    request: ctx.request,
    vendorMessage,
    cause: extra.cause,
    retryAfterMs: extra.retryAfterMs,
  };
  const said = vendorMessage ? `: ${vendorMessage}` : "";
  if (code === 401) {
    return new ShipgateError(
      "auth",
      `The Kubernetes API rejected the credentials of context "${ctx.context}" (401)`,
      { ...base, hint: `Refresh the credentials of kubeconfig context "${ctx.context}"` },
    );
  }
  if (code === 403) {
    return new ShipgateError("auth", `Forbidden by Kubernetes RBAC${said}`, {
      ...base,
      hint: `Grant the user of context "${ctx.context}" the verb and resource named above in namespace "${ctx.namespace}" (a Role + RoleBinding)`,
    });
  }
  if (code === 404) {
    return new ShipgateError("not_found", `Not found in namespace "${ctx.namespace}"${said}`, base);
  }
  if (code === 409) {
    return new ShipgateError("conflict", `Conflict${said}`, base);
  }
  if (code === 400 || code === 415 || code === 422) {
    const causes = status?.details?.causes
      ?.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message))
      .filter(Boolean);
    return new ShipgateError("bad_query", `The Kubernetes API rejected the request${said}`, {
      ...base,
      details: causes?.length ? { causes } : undefined,
    });
  }
  if (code === 429) {
    return new ShipgateError(
      "rate_limited",
      `The Kubernetes API is throttling requests${said}`,
      base,
    );
  }
  if (code >= 500) {
    return new ShipgateError("unavailable", `The Kubernetes API failed (${code})${said}`, base);
  }
  return new ShipgateError("internal", `Unexpected Kubernetes API response ${code}${said}`, base);
}

/** True for errors the client raises when it cannot parse a 2xx body. */
function isParseError(value: unknown): boolean {
  return (
    value instanceof SyntaxError ||
    (value instanceof Error &&
      /JSON|parse/i.test(value.message) &&
      !(value instanceof ApiException))
  );
}

/**
 * Maps anything the Kubernetes client threw onto a {@link ShipgateError}.
 * `aborted`/`timedOut` tell whether our own signals fired.
 */
export function kubeThrownError(
  thrown: unknown,
  ctx: KubeRequestContext,
  state: { aborted: boolean; timedOut: boolean; timeoutMs: number },
): ShipgateError {
  if (state.aborted) {
    return new ShipgateError("aborted", "The operation was aborted", {
      request: ctx.request,
      cause: thrown,
    });
  }
  if (state.timedOut) {
    return new ShipgateError(
      "timeout",
      `The Kubernetes API did not answer within ${state.timeoutMs} ms`,
      { request: ctx.request, cause: thrown },
    );
  }
  if (thrown instanceof ApiException) {
    return kubeStatusError(thrown.code, thrown.body, ctx, {
      retryAfterMs: retryAfterMs(thrown),
      cause: thrown,
    });
  }
  if (isParseError(thrown)) {
    return new ShipgateError(
      "invalid_response",
      "The Kubernetes API answered with malformed JSON",
      {
        request: ctx.request,
        cause: thrown,
      },
    );
  }
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return new ShipgateError(
    "unavailable",
    `Could not reach the Kubernetes API of context "${ctx.context}": ${text}`,
    {
      request: ctx.request,
      cause: thrown,
      hint: "Check the cluster address in the kubeconfig and the network path to it",
    },
  );
}
