import { ShipgateError } from "@shipgate/core";

/** Facts put into error hints (never the token itself). */
export interface AzureErrorContext {
  /** `https://dev.azure.com/acme` or a collection URL of Azure DevOps Server. */
  orgUrl: string;
  project: string;
  repository: string;
  /** Name of the environment variable the token came from, when known. */
  tokenEnv?: string;
}

/** A final (non-retried, or retries exhausted) HTTP failure of a client call. */
export interface AzureHttpFailure {
  status: number;
  /** `METHOD /path?query`, secret-free. */
  request: string | undefined;
  /** The parsed error body, if any (`{ message, typeKey, … }`). */
  body: unknown;
  message: string | undefined;
  retryAfterMs: number | undefined;
  attempts: number;
  context: AzureErrorContext;
}

/** The PAT scope an Azure DevOps request path needs, for hints. */
export function azureScopeFor(request: string | undefined): string {
  const path = (request ?? "").toLowerCase();
  const write = !/^(get|options) /.test(path);
  if (path.includes("/_apis/wit/"))
    return write ? "Work Items (Read & write)" : "Work Items (Read)";
  if (path.includes("/_apis/build/") || path.includes("/_apis/pipelines/")) return "Build (Read)";
  if (path.includes("/_apis/git/")) return write ? "Code (Read & write)" : "Code (Read)";
  if (path.includes("/_apis/policy/")) return "Code (Read)";
  return write ? "Code (Read & write)" : "Code (Read)";
}

/** Azure DevOps error bodies: `{ "message": "TF401019: …", "typeKey": "…" }`. */
export function azureVendorMessage(
  body: unknown,
  fallback: string | undefined,
): string | undefined {
  if (
    body &&
    typeof body === "object" &&
    typeof (body as { message?: unknown }).message === "string"
  ) {
    return (body as { message: string }).message.slice(0, 500);
  }
  if (
    typeof fallback === "string" &&
    fallback.trim() !== "" &&
    !fallback.startsWith("Failed request")
  ) {
    // Never echo an HTML sign-in page.
    return /<html/i.test(fallback) ? undefined : fallback.slice(0, 300);
  }
  return undefined;
}

/** Maps a final HTTP failure onto a {@link ShipgateError}. */
export function azureHttpError(failure: AzureHttpFailure): ShipgateError {
  const { status, request, context } = failure;
  const vendorMessage = azureVendorMessage(failure.body, failure.message);
  const token = context.tokenEnv ? `the token in ${context.tokenEnv}` : "the Azure DevOps token";
  const where = `${context.orgUrl} project ${context.project}`;
  const common = {
    status,
    ...(request ? { request } : {}),
    ...(vendorMessage ? { vendorMessage } : {}),
    ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
  };
  const scope = azureScopeFor(request);
  if (status === 401) {
    return new ShipgateError(
      "auth",
      `Azure DevOps rejected ${token} (401): it is missing, expired or revoked`,
      {
        ...common,
        hint: `Create a personal access token for ${context.orgUrl} with the ${scope} scope and export it`,
      },
    );
  }
  if (status === 403) {
    return new ShipgateError(
      "auth",
      `Azure DevOps refused the request on ${where} (403): ${token} lacks the ${scope} scope or its user lacks permission`,
      {
        ...common,
        hint: `Give ${token} the ${scope} scope and access to ${context.project}/${context.repository}`,
      },
    );
  }
  if (status === 404) {
    return new ShipgateError(
      "not_found",
      `Azure DevOps answered 404 on ${where}${vendorMessage ? ` (${vendorMessage})` : ""}`,
      {
        ...common,
        hint: `Check org_url, project (${context.project}) and repository (${context.repository})`,
      },
    );
  }
  if (status === 409)
    return new ShipgateError("conflict", "Azure DevOps reported a conflict (409)", common);
  if (status === 429) {
    return new ShipgateError(
      "rate_limited",
      `Azure DevOps kept throttling the request (${failure.attempts} attempts)`,
      {
        ...common,
        hint: "Wait for the throttling window to pass (Azure DevOps limits by TSTUs per user)",
      },
    );
  }
  if (status >= 500) {
    return new ShipgateError(
      "unavailable",
      `Azure DevOps failed with ${status} (${failure.attempts} attempts)`,
      common,
    );
  }
  return new ShipgateError("bad_query", `Azure DevOps rejected the request (${status})`, common);
}
