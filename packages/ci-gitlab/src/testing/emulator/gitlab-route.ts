import type { EmulatorRecordedRequest, EmulatorRoute } from "@shipgate/core/testing/emulator";

/** What a GitLab route handler is given: the request below `/projects/:id`, and how to answer. */
export interface GitLabCall {
  record: EmulatorRecordedRequest;
  url: URL;
  /** Path segments after `/api/v4/projects/:id`, decoded. */
  rest: string[];
  /** Query parameters and body fields, merged. */
  params: Record<string, unknown>;
  send(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Answers one page of `items`, paginated as the emulator is configured to. */
  list(items: unknown[]): void;
}

/** A route below `/api/v4/projects/:id`; `name` is the documented route the log counts. */
export type GitLabRoute = EmulatorRoute<GitLabCall> & { name: string };
