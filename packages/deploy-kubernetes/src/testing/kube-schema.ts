import { readFileSync } from "node:fs";
import * as k8s from "@kubernetes/client-node";
import { Ajv, type ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";

/*
 * Test-only: the checks the emulator runs on every object written to it, so that a
 * request the real API server would refuse fails the test instead of passing silently.
 */

type JsonSchema = Record<string, unknown>;

/**
 * Marks every object schema that lists `properties` as closed (`additionalProperties:
 * false`) unless it preserves unknown fields, mirroring the API server's strict field
 * validation (`fieldValidation=Strict`, kubectl's default): an unknown field is an error,
 * not silently pruned.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] =
      key === "enum" || key === "required" || key === "x-kubernetes-validations"
        ? value
        : closeObjects(value);
  }
  if (
    out.properties !== undefined &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

function collectExtensionKeywords(schema: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) collectExtensionKeywords(item, into);
  } else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key.startsWith("x-kubernetes-")) into.add(key);
      if (key !== "enum") collectExtensionKeywords(value, into);
    }
  }
  return into;
}

const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Compiles the `openAPIV3Schema` of a CRD file (first version) into a validator. */
export function compileCrdValidator(crdPath: string): (object: unknown) => string[] {
  const crd = parseYaml(readFileSync(crdPath, "utf8")) as {
    spec: { versions: { schema: { openAPIV3Schema: JsonSchema } }[] };
  };
  const schema = closeObjects(crd.spec.versions[0]!.schema.openAPIV3Schema) as JsonSchema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const keyword of collectExtensionKeywords(schema, new Set())) ajv.addKeyword({ keyword });
  ajv.addFormat("int32", {
    type: "number",
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat("date-time", dateTime);
  const validate: ValidateFunction = ajv.compile(schema);
  return (object: unknown) => {
    if (validate(object)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra =
        e.keyword === "additionalProperties"
          ? ` (unknown field "${(e.params as { additionalProperty: string }).additionalProperty}")`
          : "";
      return `${e.instancePath || "/"} ${e.message ?? e.keyword}${extra}`;
    });
  };
}

type AttributeMap = { name: string; baseName: string; type: string; format: string }[];

function attributesOf(typeName: string): AttributeMap | null {
  const model = (k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap }>)[
    typeName
  ];
  return typeof model?.getAttributeTypeMap === "function" ? model.getAttributeTypeMap() : null;
}

/**
 * Checks a JSON object against a model of the client's generated OpenAPI types
 * (`V1Deployment`, `V1Lease`, …): unknown fields and wrongly typed scalars are errors.
 */
export function checkAgainstModel(value: unknown, typeName: string, path = ""): string[] {
  if (value === null || value === undefined) return [];
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) {
    if (!Array.isArray(value)) return [`${path || "/"}: expected an array`];
    return value.flatMap((item, i) => checkAgainstModel(item, array[1]!, `${path}/${i}`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map) {
    if (typeof value !== "object" || Array.isArray(value))
      return [`${path || "/"}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => checkAgainstModel(v, map[1]!, `${path}/${k}`));
  }
  switch (typeName) {
    case "string":
    case "Date":
    case "V1MicroTime":
      return typeof value === "string" ? [] : [`${path}: expected a string`];
    case "number":
      return typeof value === "number" ? [] : [`${path}: expected a number`];
    case "boolean":
      return typeof value === "boolean" ? [] : [`${path}: expected a boolean`];
    case "IntOrString":
      return typeof value === "string" || typeof value === "number"
        ? []
        : [`${path}: expected an int or a string`];
    case "any":
      return [];
  }
  const attributes = attributesOf(typeName);
  if (!attributes) return [];
  if (typeof value !== "object" || Array.isArray(value))
    return [`${path || "/"}: expected an object`];
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const type = known.get(key);
    if (type === undefined) problems.push(`${path}/${key}: unknown field "${key}" in ${typeName}`);
    else problems.push(...checkAgainstModel(child, type, `${path}/${key}`));
  }
  return problems;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** `metav1.MicroTime` on the wire: RFC 3339 with exactly six fractional digits. */
export const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** Object-meta rules the API server applies to every kind. */
export function checkObjectMeta(metadata: unknown): string[] {
  const problems = checkAgainstModel(metadata, "V1ObjectMeta", "/metadata");
  const meta = (metadata ?? {}) as { name?: string; labels?: Record<string, string> };
  if (!meta.name || meta.name.length > 253 || !dnsSubdomain.test(meta.name)) {
    problems.push(`/metadata/name: "${meta.name}" is not a valid DNS-1123 subdomain`);
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (value.length > 63 || !labelValue.test(value)) {
      problems.push(`/metadata/labels/${key}: "${value}" is not a valid label value`);
    }
  }
  // The API server caps all annotations of an object at 256 KiB (keys and values).
  const annotations = Object.entries(
    (metadata as { annotations?: Record<string, string> })?.annotations ?? {},
  );
  const bytes = annotations.reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)),
    0,
  );
  if (bytes > 262_144)
    problems.push(`/metadata/annotations: Too long: must have at most 262144 bytes`);
  return problems;
}

function selectorMatches(
  selector: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** API-server validation of an apps/v1 Deployment or ReplicaSet beyond field names. */
export function checkWorkload(
  object: unknown,
  typeName: "V1Deployment" | "V1ReplicaSet",
): string[] {
  const problems = checkAgainstModel(object, typeName);
  const obj = object as {
    spec?: {
      replicas?: number;
      selector?: { matchLabels?: Record<string, string> };
      template?: { metadata?: { labels?: Record<string, string> } };
    };
  };
  const selector = obj.spec?.selector?.matchLabels;
  if (!selector || Object.keys(selector).length === 0)
    problems.push("/spec/selector: Required value");
  else if (!selectorMatches(selector, obj.spec?.template?.metadata?.labels ?? {})) {
    problems.push(
      "/spec/template/metadata/labels: Invalid value: `selector` does not match template `labels`",
    );
  }
  if ((obj.spec?.replicas ?? 0) < 0)
    problems.push("/spec/replicas: must be greater than or equal to 0");
  return problems;
}

/** API-server validation of a coordination.k8s.io/v1 Lease. */
export function checkLease(object: unknown): string[] {
  const problems = checkAgainstModel(object, "V1Lease");
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  for (const field of ["acquireTime", "renewTime"]) {
    const value = spec[field];
    if (value !== undefined && (typeof value !== "string" || !MICRO_TIME.test(value))) {
      problems.push(
        `/spec/${field}: "${String(value)}" is not a MicroTime (2006-01-02T15:04:05.000000Z07:00)`,
      );
    }
  }
  const duration = spec.leaseDurationSeconds;
  if (duration !== undefined && (typeof duration !== "number" || duration <= 0)) {
    problems.push("/spec/leaseDurationSeconds: must be greater than 0");
  }
  return problems;
}
