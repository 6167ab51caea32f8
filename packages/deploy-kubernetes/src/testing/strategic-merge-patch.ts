/*
 * Test-only: Kubernetes strategic merge patch (`application/strategic-merge-patch+json`)
 * for the built-in kinds the emulator serves — what client-go (kubectl, helm) sends for
 * them. Lists whose Go type declares `patchStrategy:"merge"` merge by their merge key;
 * other lists are replaced; `null` deletes; the `$patch`, `$retainKeys`,
 * `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives are applied. Any other
 * `$` directive is refused, so a patch this emulator does not understand fails loudly.
 */

/** A patch the emulator cannot apply (unknown directive, wrong shape). */
export class StrategicMergePatchError extends Error {}

type Json = unknown;
type JsonMap = Record<string, Json>;

const isMap = (v: Json): v is JsonMap => typeof v === "object" && v !== null && !Array.isArray(v);

/** Merge key of a list field, from the field name and the path above it; null = replace. */
function mergeKeyOf(field: string, path: string[], kind: string | undefined): string | null {
  switch (field) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
      return "name";
    case "volumeMounts":
      return "mountPath";
    case "volumeDevices":
      return "devicePath";
    case "conditions":
      return "type";
    case "ownerReferences":
      return "uid";
    case "hostAliases":
      return "ip";
    case "topologySpreadConstraints":
      return "topologyKey";
    case "ports":
      // ServiceSpec.ports merge by `port`; Container.ports by `containerPort`.
      return kind === "Service" && path.join(".") === "spec" ? "port" : "containerPort";
    case "finalizers":
      return "";
    default:
      return null;
  }
}

function mergeList(
  original: Json[],
  patch: Json[],
  key: string,
  field: string,
  path: string[],
  kind: string | undefined,
): Json[] {
  if (key === "") {
    // A list of primitives with the merge strategy: union, in order.
    const out = [...original];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const out = original.map((v) => structuredClone(v));
  for (const item of patch) {
    if (!isMap(item)) throw new StrategicMergePatchError(`${field}: expected objects in the list`);
    const id = item[key];
    const index = out.findIndex((o) => isMap(o) && o[key] === id);
    if (item.$patch === "delete") {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (item.$patch !== undefined && item.$patch !== "merge") {
      throw new StrategicMergePatchError(`${field}: unsupported $patch "${String(item.$patch)}"`);
    }
    const { $patch: _p, ...rest } = item;
    if (index >= 0) out[index] = mergeMap(out[index] as JsonMap, rest, [...path, field], kind);
    else out.push(mergeMap({}, rest, [...path, field], kind));
  }
  return out;
}

function orderBy(list: Json[], order: Json[], key: string): Json[] {
  const position = (v: Json) => {
    const i = order.findIndex((o) =>
      key === "" ? o === v : isMap(o) && isMap(v) && o[key] === v[key],
    );
    return i < 0 ? order.length : i;
  };
  return [...list].sort((a, b) => position(a) - position(b));
}

function mergeMap(
  original: JsonMap,
  patch: JsonMap,
  path: string[],
  kind: string | undefined,
): JsonMap {
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch !== undefined && patch.$patch !== "merge") {
    throw new StrategicMergePatchError(
      `unsupported $patch "${String(patch.$patch)}" at ${path.join(".") || "/"}`,
    );
  }
  const out: JsonMap = structuredClone(original);
  const orders: [string, Json[]][] = [];
  const deletions: [string, Json[]][] = [];
  let retain: string[] | null = null;
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch") continue;
    if (k === "$retainKeys") {
      if (!Array.isArray(v)) throw new StrategicMergePatchError("$retainKeys must be a list");
      retain = v.map(String);
      continue;
    }
    if (k.startsWith("$setElementOrder/")) {
      orders.push([k.slice("$setElementOrder/".length), v as Json[]]);
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      deletions.push([k.slice("$deleteFromPrimitiveList/".length), v as Json[]]);
      continue;
    }
    if (k.startsWith("$")) throw new StrategicMergePatchError(`unsupported directive "${k}"`);
    if (v === null) {
      delete out[k];
      continue;
    }
    if (isMap(v)) {
      if (v.$patch === "delete") delete out[k];
      else out[k] = mergeMap(isMap(out[k]) ? (out[k] as JsonMap) : {}, v, [...path, k], kind);
      continue;
    }
    if (Array.isArray(v)) {
      const key = mergeKeyOf(k, path, kind);
      out[k] =
        key === null
          ? structuredClone(v)
          : mergeList(Array.isArray(out[k]) ? (out[k] as Json[]) : [], v, key, k, path, kind);
      continue;
    }
    out[k] = v;
  }
  for (const [field, values] of deletions) {
    if (Array.isArray(out[field]))
      out[field] = (out[field] as Json[]).filter((x) => !values.includes(x));
  }
  for (const [field, order] of orders) {
    const key = mergeKeyOf(field, path, kind);
    if (Array.isArray(out[field]) && key !== null)
      out[field] = orderBy(out[field] as Json[], order, key);
  }
  if (retain) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

/** Applies a strategic merge patch to an object of `kind` (a built-in kind). */
export function applyStrategicMergePatch(
  original: Json,
  patch: Json,
  kind: string | undefined,
): Json {
  if (!isMap(original) || !isMap(patch)) {
    throw new StrategicMergePatchError("a strategic merge patch must be a JSON object");
  }
  return mergeMap(original, patch, [], kind);
}
