import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { emulatedResources } from "./emulated-resources.js";
import { applyJsonPatch, applyMergePatch, JsonPatchError } from "./json-patch.js";
import {
  type ControllerSim,
  type ControllerSimOptions,
  createControllerSim,
} from "./kube-controller-sim.js";
import { discoveryDocument, openApiDocument } from "./kube-discovery.js";
import { apiVersionOf, type KubeObject, qualified, type ResourceType } from "./kube-object.js";
import { decodeKubeProtobuf, KUBE_PROTOBUF, ProtobufBodyError } from "./kube-protobuf.js";
import { matchesFieldSelector, matchesLabelSelector } from "./kube-selectors.js";
import { HttpProblem, statusBody } from "./kube-status.js";
import { createKubeStore } from "./kube-store.js";
import { applyStrategicMergePatch, StrategicMergePatchError } from "./strategic-merge-patch.js";

export { emulatedResources } from "./emulated-resources.js";
export type { KubeObject, ResourceType } from "./kube-object.js";
export { matchesLabelSelector } from "./kube-selectors.js";
/*
 * Test-only: a small Kubernetes API server on 127.0.0.1 speaking the real wire format —
 * discovery, get/list/create/update/patch/delete on main and status subresources, watch
 * streams, `Status` errors, resourceVersion preconditions and generation bookkeeping —
 * with a controller simulation for Rollouts, ReplicaSets and Deployments.
 */

/** One request as the emulator saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: unknown;
  status: number;
}

/** A canned failure for matching requests. */
export interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  /** `Retry-After` header value. */
  retryAfter?: string;
  /** Raw body to send instead of a `Status`. */
  rawBody?: string;
  /** Hold the response this long before answering (or forever: `Infinity`). */
  delayMs?: number;
  times: number;
}

/** Options of {@link startKubeEmulator}. */
export interface KubeEmulatorOptions {
  /** The bearer token the emulator accepts. */
  token?: string;
  /** Controller simulation settings; `false` turns it off. */
  controller?: ControllerSimOptions | false;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /**
   * Admit unauthenticated GETs (like an API server with anonymous auth and RBAC granting
   * reads to system:anonymous). client-go never sends credentials over plain http.
   */
  anonymousReads?: boolean;
}

/** A running emulator. */
export interface KubeEmulator {
  readonly url: string;
  readonly token: string;
  readonly requests: RecordedRequest[];
  /** Every write the API server would have refused (schema or API validation). */
  readonly violations: string[];
  /**
   * Every request the emulator does not implement (unknown path, method, subresource or
   * patch type), as `METHOD path`: tests assert it stays empty, so a client needing more
   * of the API fails loudly instead of passing against a partial server.
   */
  readonly unsupported: string[];
  readonly controller: ControllerSim | null;
  /** A kubeconfig (YAML) for this server: context `emulator`, insecure, fake token. */
  kubeconfigYaml(namespace?: string, token?: string): string;
  /** Reads an object straight from the store (a clone). */
  get(plural: string, namespace: string, name: string): KubeObject | undefined;
  /** Creates or replaces an object as a cluster admin would (validated; emits watch events). */
  apply(plural: string, object: KubeObject): KubeObject;
  /** Edits an object in place (as another client would), bumping resourceVersion. */
  edit(
    plural: string,
    namespace: string,
    name: string,
    change: (object: KubeObject) => void,
  ): KubeObject;
  /** Queues a failure for matching requests. */
  fail(fault: Fault): void;
  /**
   * Holds matching requests until `count` of them have arrived, then lets them all
   * through at once — to make concurrent clients really race.
   */
  barrier(method: string, path: RegExp, count: number): void;
  /** Drops queued failures and RBAC denials. */
  clearFaults(): void;
  /** Ends every open watch stream (as an API server does on its own timeout or restart). */
  dropWatches(): void;
  /** Number of open watch streams. */
  openWatches(): number;
  /** Makes `verb` on `resource` (e.g. `patch`, `rollouts/status`) answer 403. */
  forbid(verb: string, resource: string): void;
  /** Stops everything (watch streams included). */
  close(): Promise<void>;
}
interface Watcher {
  type: ResourceType;
  namespace: string | null;
  fieldSelector?: string;
  labelSelector?: string;
  res: ServerResponse;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Starts the emulator on 127.0.0.1 with a free port. */
export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const token = options.token ?? "test-token-not-real";
  const store = createKubeStore(emulatedResources());
  const { types, history, violations } = store;
  const watchers = new Set<Watcher>();
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const unsupported: string[] = [];
  const faults: Fault[] = [];
  const forbidden = new Set<string>();
  const barriers: { method: string; path: RegExp; count: number; waiting: (() => void)[] }[] = [];
  let port = 0;
  const { typeByPlural, create, current, update, remove } = store;
  const listObjects = store.list;

  store.hooks.event = (event) => {
    for (const w of watchers) {
      if (w.res.writableEnded || w.res.destroyed) {
        watchers.delete(w);
        continue;
      }
      if (w.type !== event.resource) continue;
      if (w.namespace !== null && w.namespace !== event.object.metadata.namespace) continue;
      if (!matchesFieldSelector(w.fieldSelector, event.object)) continue;
      if (!matchesLabelSelector(w.labelSelector, event.object.metadata.labels)) continue;
      w.res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    }
  };

  /** A write by the controller simulation: the object itself, or its `status` subresource. */
  const controllerUpdate = (
    plural: string,
    object: KubeObject,
    subresource: "status" | undefined,
  ) =>
    update(
      typeByPlural(plural),
      object.metadata.namespace ?? "",
      object.metadata.name,
      object,
      subresource,
      "controller",
    );

  const controllerStore = {
    get: (plural: string, namespace: string, name: string) => {
      const found = store.find(typeByPlural(plural), namespace, name);
      return found ? structuredClone(found) : undefined;
    },
    list: (plural: string, namespace: string) =>
      listObjects(typeByPlural(plural), namespace, {}).map((o) => structuredClone(o)),
    create: (plural: string, object: KubeObject) =>
      create(typeByPlural(plural), object.metadata.namespace ?? "", object, "controller"),
    update: (plural: string, object: KubeObject) => controllerUpdate(plural, object, undefined),
    updateStatus: (plural: string, object: KubeObject) =>
      controllerUpdate(plural, object, "status"),
  };
  const controller: ControllerSim | null =
    options.controller === false
      ? null
      : createControllerSim(controllerStore, options.controller ?? {});
  store.hooks.changed = (plural, object) => controller?.changed(plural, object);
  store.hooks.deleted = (plural, object) => controller?.deleted(plural, object);

  const discovery = (path: string): unknown | undefined =>
    discoveryDocument(path, types, port) ?? openApiDocument(path, types);

  const send = (
    res: ServerResponse,
    code: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(code, {
      "Content-Type": "application/json",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const startWatch = (
    res: ServerResponse,
    type: ResourceType,
    namespace: string | null,
    query: Record<string, string>,
  ) => {
    const watcher: Watcher = {
      type,
      namespace,
      fieldSelector: query.fieldSelector,
      labelSelector: query.labelSelector,
      res,
    };
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Transfer-Encoding": "chunked",
      "Cache-Control": "no-cache, private",
    });
    res.flushHeaders();
    const since = query.resourceVersion;
    const write = (type: string, object: unknown) =>
      res.write(`${JSON.stringify({ type, object })}\n`);
    if (!since || since === "0") {
      for (const o of listObjects(type, namespace, query)) write("ADDED", o);
    } else {
      const from = Number(since);
      const oldest = history[0]?.rv ?? store.resourceVersion();
      if (!Number.isFinite(from) || from < oldest - 1) {
        write(
          "ERROR",
          statusBody(410, "Expired", `too old resource version: ${since} (${oldest})`),
        );
        res.end();
        return;
      }
      for (const e of history) {
        if (e.rv <= from || e.resource !== type) continue;
        if (namespace !== null && e.object.metadata.namespace !== namespace) continue;
        if (!matchesFieldSelector(query.fieldSelector, e.object)) continue;
        if (!matchesLabelSelector(query.labelSelector, e.object.metadata.labels)) continue;
        write(e.type, e.object);
      }
    }
    watchers.add(watcher);
    const seconds = Number(query.timeoutSeconds ?? "1800");
    const timer = setTimeout(() => {
      watchers.delete(watcher);
      res.end();
    }, seconds * 1000);
    res.on("close", () => {
      clearTimeout(timer);
      watchers.delete(watcher);
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? "GET";
    const raw = await readBody(req);
    let body: unknown;
    const record: RecordedRequest = {
      method,
      path,
      query,
      contentType: req.headers["content-type"],
      body: undefined,
      status: 0,
    };
    requests.push(record);
    const reply = (code: number, payload: unknown, headers?: Record<string, string>) => {
      record.status = code;
      const message = (payload as { message?: unknown } | null)?.message;
      if (
        code === 405 ||
        code === 415 ||
        (code === 404 && message === "the server could not find the requested resource")
      ) {
        unsupported.push(`${method} ${req.url ?? path}`);
      }
      send(res, code, payload, headers);
      return code;
    };
    try {
      const mediaType = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      if (raw.length > 0 && mediaType === KUBE_PROTOBUF) {
        try {
          body = decodeKubeProtobuf(raw);
        } catch (e) {
          if (!(e instanceof ProtobufBodyError)) throw e;
          unsupported.push(`${method} ${req.url ?? path} (protobuf: ${e.message})`);
          throw new HttpProblem(415, "UnsupportedMediaType", `protobuf body: ${e.message}`);
        }
      } else if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new HttpProblem(400, "BadRequest", "the body of the request was not valid JSON");
        }
      }
      record.body = body;
      // /version and /healthz are public on a real API server (system:public-info-viewer).
      const publicInfo = method === "GET" && (path === "/version" || path === "/healthz");
      const anonymousRead =
        publicInfo ||
        (options.anonymousReads === true &&
          method === "GET" &&
          req.headers.authorization === undefined);
      if (req.headers.authorization !== `Bearer ${token}` && !anonymousRead) {
        return reply(401, statusBody(401, "Unauthorized", "Unauthorized"));
      }
      const barrier = barriers.find((b) => b.method === method && b.path.test(path));
      if (barrier) {
        await new Promise<void>((release) => {
          barrier.waiting.push(release);
          if (barrier.waiting.length >= barrier.count) {
            barriers.splice(barriers.indexOf(barrier), 1);
            for (const r of barrier.waiting) r();
          }
        });
      }
      const faultIndex = faults.findIndex(
        (f) => f.times > 0 && f.path.test(path) && (!f.method || f.method === method),
      );
      if (faultIndex >= 0) {
        const fault = faults[faultIndex]!;
        fault.times -= 1;
        if (fault.delayMs) {
          await new Promise((r) =>
            setTimeout(r, Number.isFinite(fault.delayMs) ? fault.delayMs : 3_600_000),
          );
        }
        if (res.destroyed) return 0;
        const headers: Record<string, string> =
          fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {};
        if (fault.rawBody !== undefined) {
          record.status = fault.status;
          res.writeHead(fault.status, { "Content-Type": "application/json", ...headers });
          res.end(fault.rawBody);
          return fault.status;
        }
        return reply(
          fault.status,
          statusBody(
            fault.status,
            fault.status === 429 ? "TooManyRequests" : "InternalError",
            `injected failure ${fault.status}`,
          ),
          headers,
        );
      }
      const found = discovery(path);
      if (found !== undefined && method === "GET") return reply(200, found);

      // /api/v1/... or /apis/{group}/{version}/...
      const m =
        /^\/api\/v1(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path) ??
        null;
      const g =
        /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(
          path,
        );
      let type: ResourceType | undefined;
      let namespace: string | null = null;
      let name: string | undefined;
      let subresource: string | undefined;
      if (g) {
        type = types.find((t) => t.group === g[1] && t.version === g[2] && t.plural === g[4]);
        namespace = g[3] ?? null;
        name = g[5];
        subresource = g[6];
      } else if (m) {
        // /api/v1/namespaces/{name} is the namespace object itself.
        if (
          m[1] &&
          !m[3] &&
          m[2] &&
          !types.some((t) => !t.group && t.plural === m[2] && t.namespaced)
        ) {
          type = types.find((t) => t.plural === "namespaces");
          name = m[1];
          subresource = m[2];
        } else {
          type = types.find((t) => !t.group && t.plural === m[2]);
          namespace = m[1] ?? null;
          name = m[3];
          subresource = m[4];
        }
      }
      if (!type || (type.namespaced && name !== undefined && namespace === null)) {
        return reply(
          404,
          statusBody(404, "NotFound", "the server could not find the requested resource"),
        );
      }
      const verb =
        method === "GET"
          ? name
            ? "get"
            : query.watch === "true" || query.watch === "1"
              ? "watch"
              : "list"
          : method === "POST"
            ? "create"
            : method === "PUT"
              ? "update"
              : method === "PATCH"
                ? "patch"
                : method === "DELETE"
                  ? "delete"
                  : method.toLowerCase();
      const resourceName = subresource ? `${type.plural}/${subresource}` : type.plural;
      if (forbidden.has(`${verb} ${resourceName}`)) {
        const target = name
          ? `${qualified(type)} "${name}" is forbidden`
          : `${qualified(type)} is forbidden`;
        return reply(
          403,
          statusBody(
            403,
            "Forbidden",
            `${target}: User "system:serviceaccount:ci:shipgate" cannot ${verb} resource "${resourceName}" in API group "${type.group}"${namespace ? ` in the namespace "${namespace}"` : ""}`,
            { name, group: type.group, kind: type.plural },
          ),
        );
      }
      if (subresource && subresource !== "status") {
        return reply(
          404,
          statusBody(404, "NotFound", "the server could not find the requested resource"),
        );
      }
      if (subresource === "status" && !type.statusSubresource) {
        return reply(
          404,
          statusBody(404, "NotFound", "the server could not find the requested resource"),
        );
      }
      const ns = namespace ?? "";
      if (!name) {
        if (method === "GET") {
          if (verb === "watch") {
            record.status = 200;
            startWatch(res, type, namespace, query);
            return 200;
          }
          const all = listObjects(type, namespace, query);
          const limit = query.limit ? Number(query.limit) : 0;
          const offset = query.continue
            ? Number(Buffer.from(query.continue, "base64url").toString())
            : 0;
          const items = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
          const more = limit > 0 && offset + limit < all.length;
          return reply(200, {
            kind: `${type.kind}List`,
            apiVersion: apiVersionOf(type),
            metadata: {
              resourceVersion: String(store.resourceVersion()),
              ...(more
                ? {
                    continue: Buffer.from(String(offset + limit)).toString("base64url"),
                    remainingItemCount: all.length - offset - limit,
                  }
                : {}),
            },
            items,
          });
        }
        if (method === "POST") {
          if (type.namespaced && namespace === null)
            throw new HttpProblem(
              404,
              "NotFound",
              "the server could not find the requested resource",
            );
          return reply(201, create(type, ns, body as KubeObject, "client"));
        }
        throw new HttpProblem(
          405,
          "MethodNotAllowed",
          `the server does not allow this method on the requested resource`,
        );
      }
      if (method === "GET") return reply(200, current(type, ns, name));
      if (method === "PUT")
        return reply(200, update(type, ns, name, body as KubeObject, subresource, "client"));
      if (method === "DELETE") {
        const options = body as
          | { preconditions?: { resourceVersion?: string; uid?: string } }
          | undefined;
        return reply(200, remove(type, ns, name, options?.preconditions));
      }
      if (method === "PATCH") {
        const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
        const patchers: Record<string, (old: KubeObject) => KubeObject> = {
          "application/merge-patch+json": (old) => applyMergePatch(old, body) as KubeObject,
          "application/json-patch+json": (old) => applyJsonPatch(old, body) as KubeObject,
        };
        // As on a real server, strategic merge patch is for built-in kinds, not custom resources.
        if (type.group !== "argoproj.io") {
          patchers["application/strategic-merge-patch+json"] = (old) =>
            applyStrategicMergePatch(old, body, type.kind) as KubeObject;
        }
        const patcher = patchers[contentType];
        if (!patcher) {
          throw new HttpProblem(
            415,
            "UnsupportedMediaType",
            `the body of the request was in an unknown format - accepted media types include: ${Object.keys(patchers).join(", ")}`,
          );
        }
        const old = current(type, ns, name);
        let patched: KubeObject;
        try {
          patched = patcher(old);
        } catch (e) {
          if (e instanceof JsonPatchError || e instanceof StrategicMergePatchError)
            throw new HttpProblem(
              422,
              "Invalid",
              `the server rejected our request due to an error in our request: ${e.message}`,
            );
          throw e;
        }
        // A resourceVersion left in the patched object acts as a precondition, as on the real server.
        const patchedRv = patched.metadata?.resourceVersion;
        const asBody: KubeObject = {
          ...patched,
          metadata: {
            ...patched.metadata,
            resourceVersion: patchedRv === old.metadata.resourceVersion ? undefined : patchedRv,
          },
        };
        return reply(200, update(type, ns, name, asBody, subresource, "client"));
      }
      throw new HttpProblem(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
      );
    } catch (e) {
      if (e instanceof HttpProblem)
        return reply(e.code, statusBody(e.code, e.reason, e.message, e.details));
      return reply(500, statusBody(500, "InternalError", `emulator bug: ${String(e)}`));
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, statusBody(500, "InternalError", String(e)));
    });
  };
  const server: Server = options.tls
    ? createTlsServer(options.tls, listener)
    : createServer(listener);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;

  return {
    url,
    token,
    requests,
    violations,
    unsupported,
    controller,
    kubeconfigYaml(namespace = "default", userToken = token) {
      return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: emulator",
        "  cluster:",
        `    server: ${url}`,
        "    insecure-skip-tls-verify: true",
        "users:",
        "- name: shipgate",
        "  user:",
        `    token: ${userToken}`,
        "contexts:",
        "- name: emulator",
        "  context:",
        "    cluster: emulator",
        "    user: shipgate",
        `    namespace: ${namespace}`,
        "current-context: emulator",
        "",
      ].join("\n");
    },
    get(plural, namespace, name) {
      const found = store.find(typeByPlural(plural), namespace, name);
      return found ? structuredClone(found) : undefined;
    },
    apply(plural, object) {
      const type = typeByPlural(plural);
      const ns = object.metadata.namespace ?? "";
      const exists = store.find(type, ns, object.metadata.name) !== undefined;
      const body = structuredClone(object);
      delete body.metadata.resourceVersion;
      return exists
        ? update(type, ns, object.metadata.name, body, undefined, "admin")
        : create(type, ns, body, "admin");
    },
    edit(plural, namespace, name, change) {
      const type = typeByPlural(plural);
      const next = structuredClone(current(type, namespace, name));
      change(next);
      return update(type, namespace, name, next, undefined, "controller");
    },
    fail(fault) {
      faults.push(fault);
    },
    forbid(verb, resource) {
      forbidden.add(`${verb} ${resource}`);
    },
    dropWatches() {
      for (const w of watchers) w.res.end();
      watchers.clear();
    },
    openWatches() {
      for (const w of watchers) if (w.res.writableEnded || w.res.destroyed) watchers.delete(w);
      return watchers.size;
    },
    barrier(method, path, count) {
      barriers.push({ method, path, count, waiting: [] });
    },
    clearFaults() {
      faults.length = 0;
      barriers.length = 0;
      forbidden.clear();
    },
    async close() {
      controller?.stop();
      for (const w of watchers) w.res.end();
      watchers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
