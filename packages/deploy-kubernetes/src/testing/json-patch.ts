/*
 * Test-only helpers for the emulator: JSON merge patch (RFC 7386) and JSON patch
 * (RFC 6902), applied the way the API server applies them.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Applies a JSON merge patch: objects merge, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  from?: string;
  value?: unknown;
}

/** Why a JSON patch could not be applied (the server answers 422). */
export class JsonPatchError extends Error {
  override readonly name = "JsonPatchError";
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new JsonPatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(root: unknown, tokens: string[]): { parent: unknown; key: string } {
  let node = root;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token];
    else node = undefined;
    if (node === undefined) throw new JsonPatchError(`path segment "${token}" does not exist`);
  }
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function getAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = node[token];
    else node = undefined;
    if (node === undefined) throw new JsonPatchError(`path "${pointer}" does not exist`);
  }
  return node;
}

function remove(root: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError("cannot remove the whole document");
  const { parent, key } = resolveParent(root, tokens);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw new JsonPatchError(`array index "${key}" out of range`);
    }
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !(key in parent))
    throw new JsonPatchError(`path "${pointer}" does not exist`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function add(root: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = resolveParent(root, tokens);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (
      !Number.isInteger(index) ||
      index < 0 ||
      index > parent.length ||
      (replace && index >= parent.length)
    ) {
      throw new JsonPatchError(`array index "${key}" out of range`);
    }
    if (replace) parent[index] = structuredClone(value);
    else parent.splice(index, 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !(key in parent)) throw new JsonPatchError(`path "${pointer}" does not exist`);
    parent[key] = structuredClone(value) as Json;
  } else {
    throw new JsonPatchError(`path "${pointer}" has no parent object`);
  }
  return root;
}

/** Applies RFC 6902 operations to a copy of `document`. */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw new JsonPatchError("a JSON patch must be an array of operations");
  let doc = structuredClone(document);
  for (const raw of operations as JsonPatchOperation[]) {
    switch (raw.op) {
      case "add":
        doc = add(doc, raw.path, raw.value, false);
        break;
      case "replace":
        doc = add(doc, raw.path, raw.value, true);
        break;
      case "remove":
        remove(doc, raw.path);
        break;
      case "move": {
        const value = remove(doc, raw.from ?? "");
        doc = add(doc, raw.path, value, false);
        break;
      }
      case "copy":
        doc = add(doc, raw.path, getAt(doc, raw.from ?? ""), false);
        break;
      case "test":
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw new JsonPatchError(`test operation on "${raw.path}" failed`);
        }
        break;
      default:
        throw new JsonPatchError(`unknown operation "${(raw as { op: string }).op}"`);
    }
  }
  return doc;
}
