/** What an Azure DevOps route handler is given: the request, its route values, and how to answer. */
export interface AzureCall {
  url: URL;
  /** The route template's values (`project`, `repositoryId`, `commitId`, …). */
  values: Record<string, string>;
  /** The JSON body (or text), undefined when none. */
  body: unknown;
  /** A query parameter. */
  q(name: string): string | undefined;
  /** Headers to add to a 2xx answer (from an injected fault: soft throttling). */
  headers: Record<string, string>;
  ok(value: unknown, extra?: Record<string, string>): void;
  notFound(message: string, typeKey: string): void;
  send(status: number, body: unknown, headers?: Record<string, string>): void;
}

/** Handlers by documented route name (`GET build/builds`, …). */
export type AzureHandlers = Record<string, (call: AzureCall) => void>;
