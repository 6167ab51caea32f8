import { readFileSync } from "node:fs";
import type { ErrorObject, ValidateFunction } from "ajv";
import { packageFile } from "./package-file.js";

/**
 * Checks response bodies against GitHub's published OpenAPI description of api.github.com
 * (`@octokit/openapi`, `generated/api.github.com.json`), so that the emulator cannot drift
 * from the real wire format unnoticed.
 *
 * The description is OpenAPI 3.0 (`nullable: true`), which Ajv does not read the same way,
 * so every `nullable` schema is rewritten once to `anyOf: [{ type: "null" }, schema]`.
 */
export interface OpenApiResponseValidator {
  /** The spec version of the loaded description, e.g. `23.0.2`. */
  readonly specVersion: string;
  /**
   * Validates `body` as the `status` response of the operation (its `operationId`, e.g.
   * `checks/list-for-ref`). Returns the problems found, `[]` when the body conforms.
   * An operation or status the description does not document is itself a problem.
   */
  validate(operationId: string, status: number, body: unknown): string[];
  /** True when the description documents a JSON body for that operation and status. */
  documents(operationId: string, status: number): boolean;
  /** Validates `body` against a named component schema, e.g. `basic-error`. */
  validateSchema(schemaName: string, body: unknown): string[];
}

interface OpenApiOperation {
  operationId?: string;
  responses?: Record<string, OpenApiResponse | { $ref: string }>;
}

interface OpenApiResponse {
  content?: Record<string, { schema?: unknown }>;
}

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, OpenApiResponse> };
}

const SPEC_ID = "https://api.github.com/openapi.json";
let cached: Promise<OpenApiResponseValidator> | undefined;

/**
 * Loads the api.github.com description and builds a validator (once per process; the file is
 * 13 MB, so the first call takes a few hundred milliseconds). Needs the dev dependencies
 * `@octokit/openapi`, `ajv` and `ajv-formats`.
 */
export function loadOpenApiValidator(): Promise<OpenApiResponseValidator> {
  cached ??= build();
  return cached;
}

async function build(): Promise<OpenApiResponseValidator> {
  // Read the JSON from disk rather than importing it, so bundlers never inline 13 MB.
  const specPath = packageFile("@octokit/openapi", "generated/api.github.com.json");
  const doc = JSON.parse(readFileSync(specPath, "utf8")) as OpenApiDocument;
  const [{ default: AjvModule }, { default: formatsModule }] = await Promise.all([
    import("ajv"),
    import("ajv-formats"),
  ]);
  // ajv and ajv-formats are CommonJS; their default export may be wrapped once more.
  const Ajv = ((AjvModule as unknown as { default?: unknown }).default ??
    AjvModule) as typeof AjvModule;
  const addFormats = ((formatsModule as unknown as { default?: unknown }).default ??
    formatsModule) as typeof formatsModule;
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: rewriteNullable(doc.components.schemas) } });

  const operations = new Map<string, OpenApiOperation>();
  for (const item of Object.values(doc.paths)) {
    for (const operation of Object.values(item)) {
      if (operation && typeof operation === "object" && operation.operationId) {
        operations.set(operation.operationId, operation);
      }
    }
  }
  const compiled = new Map<string, ValidateFunction | null>();

  const responseSchema = (operationId: string, status: number): unknown => {
    const operation = operations.get(operationId);
    if (!operation?.responses) return undefined;
    let response = operation.responses[String(status)] ?? operation.responses.default;
    if (response && "$ref" in response) {
      response = doc.components.responses[response.$ref.split("/").pop() ?? ""];
    }
    const content = (response as OpenApiResponse | undefined)?.content;
    if (!content) return undefined;
    return (content["application/json"] ?? content["application/scim+json"])?.schema;
  };

  const validatorFor = (operationId: string, status: number): ValidateFunction | null => {
    const key = `${operationId} ${status}`;
    if (!compiled.has(key)) {
      const schema = responseSchema(operationId, status);
      compiled.set(
        key,
        schema === undefined
          ? null
          : ajv.compile(absoluteRefs(rewriteNullable(schema)) as Record<string, unknown>),
      );
    }
    return compiled.get(key) ?? null;
  };

  const schemaValidator = (name: string): ValidateFunction => {
    const key = `#${name}`;
    if (!compiled.has(key)) {
      compiled.set(key, ajv.compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` }));
    }
    return compiled.get(key)!;
  };

  return {
    specVersion: doc.info.version,
    validateSchema(name, body) {
      if (!(name in doc.components.schemas)) return [`unknown schema ${name}`];
      const validate = schemaValidator(name);
      if (validate(body)) return [];
      return (validate.errors ?? []).slice(0, 30).map((e) => describeError(name, e));
    },
    documents: (operationId, status) => responseSchema(operationId, status) !== undefined,
    validate(operationId, status, body) {
      if (!operations.has(operationId)) return [`unknown operation ${operationId}`];
      const validate = validatorFor(operationId, status);
      if (!validate) {
        return [`${operationId} does not document a JSON ${status} response`];
      }
      if (validate(body)) return [];
      return (validate.errors ?? []).slice(0, 30).map((e) => describeError(operationId, e));
    },
  };
}

function describeError(operationId: string, error: ErrorObject): string {
  return `${operationId}: ${error.instancePath || "(body)"} ${error.message ?? "is invalid"}${
    error.params && Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : ""
  }`;
}

/** Points `#/components/...` references at the registered description. */
function absoluteRefs(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', `"${SPEC_ID}#/components/`),
  );
}

/** Rewrites OpenAPI 3.0 `nullable: true` into JSON Schema that Ajv reads the same way. */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Examples are data, not schemas: leave them alone.
    out[key] = key === "example" || key === "examples" ? value : rewriteNullable(value);
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [{ type: "null" }, out] };
  }
  return out;
}
