import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { createFaultQueue, type InjectedFault } from "./injected-fault.js";
import {
  countRequestsByRoute,
  type EmulatorRecordedRequest,
  type EmulatorRecordedResponse,
} from "./request-log.js";

/** One request being answered, as an emulator's handler sees it. */
export interface EmulatorExchange {
  readonly method: string;
  /** The request URL on the emulator's origin. */
  readonly url: URL;
  /** Path and query as received. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  /** The request body as text ("" when none was read). */
  readonly text: string;
  /** Its entry in the request log. */
  readonly record: EmulatorRecordedRequest;
  /** True once the client has gone (an answer would be lost). */
  readonly closed: boolean;
  /** Names the route matched, for the log, the per-route counts and the contract hook. */
  route(name: string): void;
  /** Answers JSON (no body when `body` is undefined). */
  reply(status: number, body?: unknown, headers?: Record<string, string>): void;
  /** Answers this text verbatim. */
  replyText(status: number, text: string, headers?: Record<string, string>): void;
  /** Waits `ms`, or less when the client gives up first (then `closed` is true). */
  delay(ms: number): Promise<void>;
  /** Resets the connection without an answer (a network error); logged as status -1. */
  destroy(): void;
}

/** A response the contract hook is asked about. */
export interface EmulatorResponseToCheck {
  route: string | null;
  method: string;
  target: string;
  status: number;
  body: unknown;
}

/** Options of {@link startEmulatorServer}. */
export interface EmulatorServerOptions {
  /** Answers every request no injected fault answered. */
  handle: (exchange: EmulatorExchange) => void | Promise<void>;
  /** Headers on every answer (content type, vendor ids); an answer's own headers win. */
  headers?: Record<string, string>;
  /** The vendor's error body for an injected status without a body, and for a hang's 504. */
  errorBody?: (status: number, message: string) => unknown;
  /** Whether the request carries the accepted credentials (recorded; the handler decides). */
  authorize?: (headers: IncomingHttpHeaders) => boolean;
  /** Whether to read the body before answering. Default: all but GET, HEAD and OPTIONS. */
  readsBody?: (method: string) => boolean;
  /**
   * The contract hook: problems with an answer (empty when it matches the vendor's
   * published contract). Called for every JSON answer; problems land in `contractProblems`.
   */
  validate?: (response: EmulatorResponseToCheck) => readonly string[];
  /** Keep each request's body text in its log entry. Default false. */
  recordBodies?: boolean;
}

/** A running emulator server. */
export interface EmulatorServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order, with the status answered. */
  readonly requests: EmulatorRecordedRequest[];
  /** 2xx JSON answers of named routes, for contract checks. */
  readonly responses: EmulatorRecordedResponse[];
  /** What the contract hook found, as `METHOD target: problem`. */
  readonly contractProblems: string[];
  /** Injects a failure for the next matching request(s). */
  fail(fault: InjectedFault): void;
  /** Drops faults not yet used. */
  clearFaults(): void;
  /** Requests per route name (the URL for unmatched ones), in first-seen order. */
  countsByRoute(): Map<string, number>;
  /** Forgets recorded requests, responses and contract problems (not the emulated state). */
  resetLog(): void;
  close(): Promise<void>;
}

const defaultReadsBody = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);
const defaultErrorBody = (_status: number, message: string) => ({ message });

/**
 * Starts an HTTP server on 127.0.0.1 (a free port) that logs every request, applies
 * injected faults (status, delay, hang, Retry-After and other headers, connection reset,
 * raw bodies) and hands the rest to the emulator's handler.
 *
 * @example
 * ```ts
 * const server = await startEmulatorServer({
 *   handle: (x) => {
 *     const match = matchRoute(routes, x.method, x.url.pathname);
 *     if (!match) return x.reply(404, { message: "Not Found" });
 *     x.route(match.name);
 *     return match.route.handle(x, match.params);
 *   },
 * });
 * server.fail({ path: /\/pipelines/, respond: { status: 429, headers: { "retry-after": "1" } } });
 * ```
 */
export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const requests: EmulatorRecordedRequest[] = [];
  const responses: EmulatorRecordedResponse[] = [];
  const contractProblems: string[] = [];
  const faults = createFaultQueue();
  const readsBody = options.readsBody ?? defaultReadsBody;
  const errorBody = options.errorBody ?? defaultErrorBody;
  let origin = "";

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", origin);
    const target = `${url.pathname}${url.search}`;
    const record: EmulatorRecordedRequest = {
      method,
      url: target,
      route: null,
      status: 0,
      authorized: options.authorize?.(req.headers) ?? true,
    };
    requests.push(record);
    const text = readsBody(method) ? await readText(req) : "";
    if (options.recordBodies) record.body = text;
    let extraHeaders: Record<string, string> = {};

    const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return;
      if (body !== undefined) {
        if (status >= 200 && status < 300 && record.route)
          responses.push({ route: record.route, body });
        for (const p of options.validate?.({ route: record.route, method, target, status, body }) ??
          [])
          contractProblems.push(`${method} ${target}: ${p}`);
      }
      res.writeHead(status, { ...options.headers, ...extraHeaders, ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    const replyText = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { ...options.headers, ...extraHeaders, ...headers });
      res.end(body);
    };
    const wait = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        res.on("close", () => {
          clearTimeout(timer);
          // The client gave up: mark it, tests check that cancellation reached the socket.
          if (record.status === 0) record.status = -2;
          resolve();
        });
      });

    const destroy = () => {
      record.status = -1;
      req.socket.destroy();
    };

    const fault = faults.take(method, target);
    if (fault) {
      if ("hangMs" in fault) {
        await wait(fault.hangMs);
        if (!res.destroyed) reply(504, errorBody(504, "emulator: hung"));
        return;
      }
      if ("destroy" in fault) return destroy();
      if ("rawBody" in fault) {
        return replyText(fault.status ?? 200, fault.rawBody, {
          "content-type":
            fault.contentType ?? options.headers?.["content-type"] ?? "application/json",
        });
      }
      if ("status" in fault) {
        return reply(fault.status, fault.body ?? errorBody(fault.status, `${fault.status}`), {
          ...fault.headers,
        });
      }
      if ("delayMs" in fault) {
        await wait(fault.delayMs);
        if (res.destroyed) return;
      } else extraHeaders = fault.extraHeaders;
    }

    const exchange: EmulatorExchange = {
      method,
      url,
      target,
      headers: req.headers,
      text,
      record,
      get closed() {
        return res.destroyed;
      },
      route: (name) => {
        record.route = name;
      },
      reply,
      replyText,
      delay: wait,
      destroy,
    };
    await options.handle(exchange);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      contractProblems.push(`emulator crashed: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "emulator error" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    requests,
    responses,
    contractProblems,
    fail: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    countsByRoute: () => countRequestsByRoute(requests),
    resetLog() {
      requests.length = 0;
      responses.length = 0;
      contractProblems.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a request body as UTF-8 text. */
export async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Parses JSON text; undefined for empty or invalid text. */
export function parseJsonText(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
