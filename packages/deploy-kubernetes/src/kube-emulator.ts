import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { applyJsonPatch, applyMergePatch, JsonPatchError } from "./json-patch.js";
import {
  type ControllerSim,
  type ControllerSimOptions,
  createControllerSim,
} from "./kube-controller-sim.js";
import { checkLease, checkObjectMeta, checkWorkload, compileCrdValidator } from "./kube-schema.js";

/*
 * Test-only: a small Kubernetes API server on 127.0.0.1 speaking the real wire format —
 * discovery, get/list/create/update/patch/delete on main and status subresources, watch
 * streams, `Status` errors, resourceVersion preconditions and generation bookkeeping —
 * with a controller simulation for Rollouts, ReplicaSets and Deployments.
 */

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }[];
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A resource type the emulator serves. */
export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  statusSubresource: boolean;
  scaleSubresource?: boolean;
  validate?: (object: KubeObject) => string[];
}

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

const crdPath = fileURLToPath(
  new URL("./__fixtures__/argo-rollouts-rollout-crd.yaml", import.meta.url),
);
let rolloutValidator: ((object: unknown) => string[]) | null = null;

/** The resource types served. */
export function emulatedResources(): ResourceType[] {
  rolloutValidator ??= compileCrdValidator(crdPath);
  const validateRollout = rolloutValidator;
  return [
    {
      group: "",
      version: "v1",
      plural: "namespaces",
      singular: "namespace",
      kind: "Namespace",
      namespaced: false,
      shortNames: ["ns"],
      statusSubresource: true,
    },
    {
      group: "apps",
      version: "v1",
      plural: "deployments",
      singular: "deployment",
      kind: "Deployment",
      namespaced: true,
      shortNames: ["deploy"],
      statusSubresource: true,
      scaleSubresource: true,
      validate: (o) => checkWorkload(o, "V1Deployment").concat(checkObjectMeta(o.metadata)),
    },
    {
      group: "apps",
      version: "v1",
      plural: "replicasets",
      singular: "replicaset",
      kind: "ReplicaSet",
      namespaced: true,
      shortNames: ["rs"],
      statusSubresource: true,
      scaleSubresource: true,
      validate: (o) => checkWorkload(o, "V1ReplicaSet").concat(checkObjectMeta(o.metadata)),
    },
    {
      group: "argoproj.io",
      version: "v1alpha1",
      plural: "rollouts",
      singular: "rollout",
      kind: "Rollout",
      namespaced: true,
      shortNames: ["ro"],
      statusSubresource: true,
      scaleSubresource: true,
      validate: (o) => validateRollout(o).concat(checkObjectMeta(o.metadata)),
    },
    {
      group: "coordination.k8s.io",
      version: "v1",
      plural: "leases",
      singular: "lease",
      kind: "Lease",
      namespaced: true,
      statusSubresource: false,
      validate: (o) => checkLease(o).concat(checkObjectMeta(o.metadata)),
    },
  ];
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: code < 400 ? "Success" : "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

class HttpProblem extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

function rfc3339(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Label selector: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`. */
export function matchesLabelSelector(
  selector: string | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms.every((raw) => {
    const term = raw.trim();
    if (!term) return true;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(",").map((v) => v.trim());
      const has = m[1]! in labels && values.includes(labels[m[1]!]!);
      return m[2] === "in" ? has : !has;
    }
    m = /^(\S+?)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) return m[2] === "!=" ? labels[m[1]!] !== m[3] : labels[m[1]!] === m[3];
    if (term.startsWith("!")) return !(term.slice(1) in labels);
    return term in labels;
  });
}

function matchesFieldSelector(selector: string | undefined, object: KubeObject): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return false;
    const field = m[1]!;
    const actual =
      field === "metadata.name"
        ? object.metadata.name
        : field === "metadata.namespace"
          ? object.metadata.namespace
          : undefined;
    return m[2] === "!=" ? actual !== m[3] : actual === m[3];
  });
}

interface Watcher {
  type: ResourceType;
  namespace: string | null;
  fieldSelector?: string;
  labelSelector?: string;
  res: ServerResponse;
}

interface HistoryEvent {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: ResourceType;
  object: KubeObject;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function specPart(object: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = object;
  return JSON.stringify(rest);
}

/** Starts the emulator on 127.0.0.1 with a free port. */
export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const token = options.token ?? "test-token-not-real";
  const types = emulatedResources();
  const store = new Map<string, KubeObject>();
  const history: HistoryEvent[] = [];
  const watchers = new Set<Watcher>();
  const sockets = new Set<Socket>();
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const faults: Fault[] = [];
  const forbidden = new Set<string>();
  const barriers: { method: string; path: RegExp; count: number; waiting: (() => void)[] }[] = [];
  let resourceVersion = 1000;
  let port = 0;

  const typeByPlural = (plural: string) => {
    const found = types.find((t) => t.plural === plural);
    if (!found) throw new Error(`unknown resource ${plural}`);
    return found;
  };
  const keyOf = (type: ResourceType, namespace: string, name: string) =>
    `${type.group}/${type.plural}/${type.namespaced ? namespace : ""}/${name}`;

  const notify = (event: HistoryEvent) => {
    history.push(event);
    if (history.length > 5000) history.shift();
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

  /** Validates, stamps a new resourceVersion, stores and announces a write. */
  const commit = (
    type: ResourceType,
    next: KubeObject,
    previous: KubeObject | undefined,
    by: string,
  ): KubeObject => {
    const problems = type.validate?.(next) ?? [];
    if (problems.length > 0) {
      const what = `${by}: ${type.kind} ${next.metadata.namespace ?? ""}/${next.metadata.name}`;
      violations.push(`${what}: ${problems.join("; ")}`);
      throw new HttpProblem(
        422,
        "Invalid",
        `${type.kind} "${next.metadata.name}" is invalid: ${problems.join("; ")}`,
        {
          name: next.metadata.name,
          group: type.group,
          kind: type.plural,
          causes: problems.map((p) => ({ message: p })),
        },
      );
    }
    if (
      previous &&
      JSON.stringify(previous) ===
        JSON.stringify({
          ...next,
          metadata: { ...next.metadata, resourceVersion: previous.metadata.resourceVersion },
        })
    ) {
      return structuredClone(previous); // a no-op write does not bump resourceVersion
    }
    resourceVersion += 1;
    next.metadata.resourceVersion = String(resourceVersion);
    store.set(keyOf(type, next.metadata.namespace ?? "", next.metadata.name), next);
    notify({
      rv: resourceVersion,
      type: previous ? "MODIFIED" : "ADDED",
      resource: type,
      object: structuredClone(next),
    });
    controller?.changed(type.plural, structuredClone(next));
    return structuredClone(next);
  };

  const create = (
    type: ResourceType,
    namespace: string,
    body: KubeObject,
    by: string,
  ): KubeObject => {
    const name = body.metadata?.name;
    if (!name)
      throw new HttpProblem(
        422,
        "Invalid",
        `${type.kind} is invalid: metadata.name: Required value`,
      );
    if (type.namespaced && body.metadata.namespace && body.metadata.namespace !== namespace) {
      throw new HttpProblem(
        400,
        "BadRequest",
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    const key = keyOf(type, namespace, name);
    if (store.has(key)) {
      throw new HttpProblem(409, "AlreadyExists", `${qualified(type)} "${name}" already exists`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    const object: KubeObject = {
      ...structuredClone(body),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...structuredClone(body.metadata),
        ...(type.namespaced ? { namespace } : {}),
        uid: randomUUID(),
        creationTimestamp: rfc3339(),
        generation: 1,
      },
    };
    delete object.metadata.resourceVersion;
    if (type.statusSubresource && by !== "controller") delete object.status;
    return commit(type, object, undefined, by);
  };

  const current = (type: ResourceType, namespace: string, name: string): KubeObject => {
    const found = store.get(keyOf(type, namespace, name));
    if (!found) {
      throw new HttpProblem(404, "NotFound", `${qualified(type)} "${name}" not found`, {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    return found;
  };

  /** Update semantics shared by PUT and PATCH (after the patch is applied). */
  const update = (
    type: ResourceType,
    namespace: string,
    name: string,
    body: KubeObject,
    subresource: string | undefined,
    by: string,
  ): KubeObject => {
    const old = current(type, namespace, name);
    if (body.metadata?.name && body.metadata.name !== name) {
      throw new HttpProblem(
        400,
        "BadRequest",
        "the name of the object does not match the name on the URL",
      );
    }
    const wanted = body.metadata?.resourceVersion;
    if (wanted && wanted !== old.metadata.resourceVersion) {
      throw new HttpProblem(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: type.group, kind: type.plural },
      );
    }
    let next: KubeObject;
    if (subresource === "status") {
      next = { ...structuredClone(old), status: structuredClone(body.status) };
      if (body.status === undefined) delete next.status;
    } else {
      next = structuredClone(body);
      next.apiVersion = apiVersionOf(type);
      next.kind = type.kind;
      if (type.statusSubresource && by !== "controller") {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
      next.metadata = {
        ...next.metadata,
        name,
        ...(type.namespaced ? { namespace } : {}),
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
        generation: old.metadata.generation,
        resourceVersion: old.metadata.resourceVersion,
      };
      if (specPart(next) !== specPart(old))
        next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    }
    return commit(type, next, old, by);
  };

  const remove = (
    type: ResourceType,
    namespace: string,
    name: string,
    preconditions?: { resourceVersion?: string; uid?: string },
  ) => {
    const old = current(type, namespace, name);
    if (preconditions?.uid && preconditions.uid !== old.metadata.uid) {
      throw new HttpProblem(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(type)} "${name}": Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${old.metadata.uid}`,
        { name, group: type.group, kind: type.plural },
      );
    }
    if (
      preconditions?.resourceVersion &&
      preconditions.resourceVersion !== old.metadata.resourceVersion
    ) {
      throw new HttpProblem(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${qualified(type)} "${name}": Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
        { name, group: type.group, kind: type.plural },
      );
    }
    store.delete(keyOf(type, namespace, name));
    resourceVersion += 1;
    const gone = {
      ...structuredClone(old),
      metadata: { ...structuredClone(old.metadata), resourceVersion: String(resourceVersion) },
    };
    notify({ rv: resourceVersion, type: "DELETED", resource: type, object: gone });
    controller?.deleted(type.plural, gone);
    // Garbage collection: dependents whose controller owner is gone.
    for (const [key, object] of [...store.entries()]) {
      if (object.metadata.ownerReferences?.some((o) => o.uid === old.metadata.uid)) {
        const depType = types.find((t) => key.startsWith(`${t.group}/${t.plural}/`));
        if (depType) remove(depType, object.metadata.namespace ?? "", object.metadata.name);
      }
    }
    return {
      ...statusBody(200, "", ""),
      details: { name, group: type.group, kind: type.plural, uid: old.metadata.uid },
    };
  };

  const listObjects = (
    type: ResourceType,
    namespace: string | null,
    query: Record<string, string>,
  ) =>
    [...store.values()]
      .filter((o) => o.kind === type.kind && o.apiVersion === apiVersionOf(type))
      .filter((o) => namespace === null || o.metadata.namespace === namespace)
      .filter((o) => matchesFieldSelector(query.fieldSelector, o))
      .filter((o) => matchesLabelSelector(query.labelSelector, o.metadata.labels))
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      );

  const controllerStore = {
    get: (plural: string, namespace: string, name: string) => {
      const found = store.get(keyOf(typeByPlural(plural), namespace, name));
      return found ? structuredClone(found) : undefined;
    },
    list: (plural: string, namespace: string) =>
      listObjects(typeByPlural(plural), namespace, {}).map((o) => structuredClone(o)),
    create: (plural: string, object: KubeObject) =>
      create(typeByPlural(plural), object.metadata.namespace ?? "", object, "controller"),
    update: (plural: string, object: KubeObject) =>
      update(
        typeByPlural(plural),
        object.metadata.namespace ?? "",
        object.metadata.name,
        object,
        undefined,
        "controller",
      ),
    updateStatus: (plural: string, object: KubeObject) =>
      update(
        typeByPlural(plural),
        object.metadata.namespace ?? "",
        object.metadata.name,
        object,
        "status",
        "controller",
      ),
  };
  const controller: ControllerSim | null =
    options.controller === false
      ? null
      : createControllerSim(controllerStore, options.controller ?? {});

  const discovery = (path: string): unknown | undefined => {
    const groups = [...new Set(types.filter((t) => t.group).map((t) => t.group))];
    const resourceList = (groupVersion: string, list: ResourceType[]) => ({
      kind: "APIResourceList",
      apiVersion: "v1",
      groupVersion,
      resources: list.flatMap((t) => {
        const verbs = [
          "create",
          "delete",
          "deletecollection",
          "get",
          "list",
          "patch",
          "update",
          "watch",
        ];
        const main = {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs,
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        };
        const subs = [];
        if (t.statusSubresource)
          subs.push({
            name: `${t.plural}/status`,
            singularName: "",
            namespaced: t.namespaced,
            kind: t.kind,
            verbs: ["get", "patch", "update"],
          });
        if (t.scaleSubresource)
          subs.push({
            name: `${t.plural}/scale`,
            singularName: "",
            namespaced: t.namespaced,
            group: "autoscaling",
            version: "v1",
            kind: "Scale",
            verbs: ["get", "patch", "update"],
          });
        return [main, ...subs];
      }),
    });
    if (path === "/version") {
      return {
        major: "1",
        minor: "32",
        gitVersion: "v1.32.0",
        gitCommit: "emulator",
        gitTreeState: "clean",
        buildDate: "2026-01-01T00:00:00Z",
        goVersion: "go1.23.0",
        compiler: "gc",
        platform: "linux/amd64",
      };
    }
    if (path === "/api") {
      return {
        kind: "APIVersions",
        versions: ["v1"],
        serverAddressByClientCIDRs: [
          { clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${port}` },
        ],
      };
    }
    if (path === "/api/v1")
      return resourceList(
        "v1",
        types.filter((t) => !t.group),
      );
    const groupInfo = (g: string) => {
      const version = types.find((t) => t.group === g)!.version;
      const gv = { groupVersion: `${g}/${version}`, version };
      return { name: g, versions: [gv], preferredVersion: gv };
    };
    if (path === "/apis")
      return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(groupInfo) };
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m && groups.includes(m[1]!)) {
      if (!m[2]) return { kind: "APIGroup", apiVersion: "v1", ...groupInfo(m[1]!) };
      const list = types.filter((t) => t.group === m[1] && t.version === m[2]);
      if (list.length) return resourceList(`${m[1]}/${m[2]}`, list);
    }
    return undefined;
  };

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
      const oldest = history[0]?.rv ?? resourceVersion;
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
      send(res, code, payload, headers);
      return code;
    };
    try {
      if (raw) {
        try {
          body = JSON.parse(raw);
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
              resourceVersion: String(resourceVersion),
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
        const old = current(type, ns, name);
        let patched: KubeObject;
        if (contentType === "application/merge-patch+json") {
          patched = applyMergePatch(old, body) as KubeObject;
        } else if (contentType === "application/json-patch+json") {
          try {
            patched = applyJsonPatch(old, body) as KubeObject;
          } catch (e) {
            if (e instanceof JsonPatchError)
              throw new HttpProblem(
                422,
                "Invalid",
                `the server rejected our request due to an error in our request: ${e.message}`,
              );
            throw e;
          }
        } else {
          throw new HttpProblem(
            415,
            "UnsupportedMediaType",
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`,
          );
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
      const found = store.get(keyOf(typeByPlural(plural), namespace, name));
      return found ? structuredClone(found) : undefined;
    },
    apply(plural, object) {
      const type = typeByPlural(plural);
      const ns = object.metadata.namespace ?? "";
      const exists = store.has(keyOf(type, ns, object.metadata.name));
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
