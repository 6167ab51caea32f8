import { randomUUID } from "node:crypto";
import { apiVersionOf, type KubeObject, qualified, type ResourceType } from "./kube-object.js";
import { matchesFieldSelector, matchesLabelSelector } from "./kube-selectors.js";
import { HttpProblem, rfc3339, statusBody } from "./kube-status.js";

/*
 * Test-only: the emulator's object store with the API server's write semantics —
 * validation, server-side defaults, resourceVersion and generation bookkeeping,
 * preconditions, garbage collection of dependents — and the event history watches read.
 */

/** One change, as a watch stream reports it. */
export interface HistoryEvent {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  resource: ResourceType;
  object: KubeObject;
}

/** Who reacts to writes (the controller simulation, watch streams). */
export interface StoreHooks {
  changed?: (plural: string, object: KubeObject) => void;
  deleted?: (plural: string, object: KubeObject) => void;
  event?: (event: HistoryEvent) => void;
}

/** The store of one emulator. */
export interface KubeStore {
  readonly types: ResourceType[];
  readonly history: HistoryEvent[];
  readonly violations: string[];
  hooks: StoreHooks;
  resourceVersion(): number;
  typeByPlural(plural: string): ResourceType;
  find(type: ResourceType, namespace: string, name: string): KubeObject | undefined;
  current(type: ResourceType, namespace: string, name: string): KubeObject;
  create(type: ResourceType, namespace: string, body: KubeObject, by: string): KubeObject;
  update(
    type: ResourceType,
    namespace: string,
    name: string,
    body: KubeObject,
    subresource: string | undefined,
    by: string,
  ): KubeObject;
  remove(
    type: ResourceType,
    namespace: string,
    name: string,
    preconditions?: { resourceVersion?: string; uid?: string },
  ): Record<string, unknown>;
  list(type: ResourceType, namespace: string | null, query: Record<string, string>): KubeObject[];
}

function specPart(object: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = object;
  return JSON.stringify(rest);
}

/** A fresh store serving `types`. */
export function createKubeStore(types: ResourceType[]): KubeStore {
  const objects = new Map<string, KubeObject>();
  const history: HistoryEvent[] = [];
  const violations: string[] = [];
  const hooks: StoreHooks = {};
  let resourceVersion = 1000;

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
    store.hooks.event?.(event);
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
    objects.set(keyOf(type, next.metadata.namespace ?? "", next.metadata.name), next);
    notify({
      rv: resourceVersion,
      type: previous ? "MODIFIED" : "ADDED",
      resource: type,
      object: structuredClone(next),
    });
    store.hooks.changed?.(type.plural, structuredClone(next));
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
    if (objects.has(key)) {
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
    type.defaults?.(object);
    return commit(type, object, undefined, by);
  };

  const current = (type: ResourceType, namespace: string, name: string): KubeObject => {
    const found = objects.get(keyOf(type, namespace, name));
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
  const update: KubeStore["update"] = (type, namespace, name, body, subresource, by) => {
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
      type.preserveOnUpdate?.(next, old);
      type.defaults?.(next);
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
    objects.delete(keyOf(type, namespace, name));
    resourceVersion += 1;
    const gone = {
      ...structuredClone(old),
      metadata: { ...structuredClone(old.metadata), resourceVersion: String(resourceVersion) },
    };
    notify({ rv: resourceVersion, type: "DELETED", resource: type, object: gone });
    store.hooks.deleted?.(type.plural, gone);
    // Garbage collection: dependents whose controller owner is gone.
    for (const [key, object] of [...objects.entries()]) {
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
    [...objects.values()]
      .filter((o) => o.kind === type.kind && o.apiVersion === apiVersionOf(type))
      .filter((o) => namespace === null || o.metadata.namespace === namespace)
      .filter((o) => matchesFieldSelector(query.fieldSelector, o))
      .filter((o) => matchesLabelSelector(query.labelSelector, o.metadata.labels))
      .sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
          `${b.metadata.namespace}/${b.metadata.name}`,
        ),
      );

  const store: KubeStore = {
    types,
    history,
    violations,
    hooks,
    resourceVersion: () => resourceVersion,
    typeByPlural,
    find: (type, namespace, name) => objects.get(keyOf(type, namespace, name)),
    current,
    create,
    update,
    remove,
    list: listObjects,
  };
  return store;
}
