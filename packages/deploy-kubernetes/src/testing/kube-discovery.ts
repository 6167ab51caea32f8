import { apiVersionOf, type ResourceType } from "./kube-object.js";

/*
 * Test-only: what clients read before talking to resources — `/version`, legacy
 * discovery (`/api`, `/apis`, resource lists), and the OpenAPI v3 index and group
 * documents client-go (kubectl, helm) reads to learn that the server validates fields
 * itself (`fieldValidation` on PATCH), so it never falls back to the protobuf OpenAPI v2.
 */

/** The discovery document at `path`, or `undefined` when `path` is not a discovery path. */
export function discoveryDocument(
  path: string,
  types: ResourceType[],
  port: number,
): unknown | undefined {
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
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${port}` }],
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
}

function openApiPathKey(type: ResourceType): string {
  return type.group ? `apis/${type.group}/${type.version}` : `api/${type.version}`;
}

/** An OpenAPI v3 document of one group version: each resource's paths and operations. */
function openApiGroupVersion(types: ResourceType[]): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const type of types) {
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    const schemaName = `${type.group || "core"}.${type.version}.${type.kind}`;
    schemas[schemaName] = {
      type: "object",
      "x-kubernetes-group-version-kind": [gvk],
      "x-kubernetes-preserve-unknown-fields": true,
    };
    const ref = { $ref: `#/components/schemas/${schemaName}` };
    const query = (name: string) => ({ name, in: "query", schema: { type: "string" } });
    const op = (action: string, extra: object = {}) => ({
      operationId: `${action}${type.kind}`,
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      responses: { "200": { content: { "application/json": { schema: ref } } } },
      ...extra,
    });
    const prefix = `/${openApiPathKey(type)}${type.namespaced ? "/namespaces/{namespace}" : ""}/${type.plural}`;
    paths[prefix] = {
      get: op("list"),
      post: op("post", {
        parameters: [query("dryRun"), query("fieldManager"), query("fieldValidation")],
      }),
    };
    paths[`${prefix}/{name}`] = {
      get: op("get"),
      put: op("put", {
        parameters: [query("dryRun"), query("fieldManager"), query("fieldValidation")],
      }),
      patch: op("patch", {
        parameters: [
          query("dryRun"),
          query("fieldManager"),
          query("fieldValidation"),
          query("force"),
        ],
      }),
      delete: op("delete"),
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.0" },
    paths,
    components: { schemas },
  };
}

/** `/openapi/v3` and `/openapi/v3/<group-version>` documents, or `undefined`. */
export function openApiDocument(path: string, types: ResourceType[]): unknown | undefined {
  const byKey = new Map<string, ResourceType[]>();
  for (const type of types) {
    const key = openApiPathKey(type);
    byKey.set(key, [...(byKey.get(key) ?? []), type]);
  }
  if (path === "/openapi/v3") {
    return {
      paths: Object.fromEntries(
        [...byKey.keys()].map((key) => [
          key,
          {
            serverRelativeURL: `/openapi/v3/${key}?hash=${apiVersionOf(byKey.get(key)![0]!).replace(/\W/g, "")}`,
          },
        ]),
      ),
    };
  }
  const m = /^\/openapi\/v3\/(.+)$/.exec(path);
  const list = m ? byKey.get(m[1]!) : undefined;
  return list ? openApiGroupVersion(list) : undefined;
}
