import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local Azure DevOps Services organization on 127.0.0.1: the location service
// azure-devops-node-api negotiates with (OPTIONS /_apis/<area>, GET /_apis/ResourceAreas), and
// the Git, Build, Policy, Approvals and Work Item Tracking endpoints the adapter uses, shaped
// after the REST 7.1 reference. Repository history is a real commit graph, so ranges, common
// commits and peeled tags are computed. Every 2xx JSON answer is recorded for the contract
// check against AZURE_DOCUMENTED_FIELDS.

/** A documented field type; `|null` marks a nullable field. */
export type DocumentedType =
  | "string"
  | "number"
  | "boolean"
  | "array"
  | "object"
  | "string|null"
  | "object|null";

/** One endpoint's documented response fields. */
export interface DocumentedEndpoint {
  /** Where the fields were taken from. */
  doc: string;
  /** `wrapped`: a `{ count, value: [...] }` collection; fields apply to each element. */
  shape: "object" | "wrapped";
  fields: Record<string, DocumentedType>;
  /** Nested documented objects: field → fields of each element of that array (or of that object). */
  nested?: Record<string, Record<string, DocumentedType>>;
}

// Azure's route for creating a work item has a literal "$" before its {type} parameter.
const DOLLAR_TYPE = "$" + "{type}";
const CREATE_WORK_ITEM = `POST wit/workitems/${DOLLAR_TYPE}`;

const spec = (path: string) =>
  `https://learn.microsoft.com/en-us/rest/api/azure/devops/${path}?view=azure-devops-rest-7.1`;

const gitPullRequestFields: Record<string, DocumentedType> = {
  pullRequestId: "number",
  codeReviewId: "number",
  status: "string",
  createdBy: "object",
  creationDate: "string",
  closedDate: "string",
  title: "string",
  sourceRefName: "string",
  targetRefName: "string",
  mergeStatus: "string",
  lastMergeCommit: "object",
  reviewers: "array",
  labels: "array",
  url: "string",
  repository: "object",
};

const workItemFields: Record<string, DocumentedType> = {
  id: "number",
  rev: "number",
  fields: "object",
  url: "string",
  _links: "object",
};

/**
 * The response fields Azure DevOps documents (REST API 7.1: the OpenAPI specs published in
 * MicrosoftDocs/vsts-rest-api-specs, `specification/{git,build,policy,wit,approvalsAndChecks}/7.1`,
 * rendered at the learn.microsoft.com URLs below), for each endpoint the adapter calls, with
 * their wire types (enums travel as their names, dates as ISO strings). Checked against every
 * emulator answer in azure-emulator.test.ts. The two location-service entries describe what
 * azure-devops-node-api's VsoClient and WebApi read.
 */
export const AZURE_DOCUMENTED_FIELDS: Record<string, DocumentedEndpoint> = {
  "OPTIONS _apis/{area}": {
    // ApiResourceLocation, as read by VsoClient.beginGetAreaLocations / autoNegotiateApiVersion.
    doc: "https://github.com/microsoft/azure-devops-node-api/blob/master/api/VsoClient.ts",
    shape: "wrapped",
    fields: {
      id: "string",
      area: "string",
      resourceName: "string",
      routeTemplate: "string",
      resourceVersion: "number",
      minVersion: "string",
      maxVersion: "string",
      releasedVersion: "string",
    },
  },
  "GET _apis/ResourceAreas": {
    doc: spec("core/resource-areas/list"),
    shape: "wrapped",
    fields: { id: "string", name: "string", locationUrl: "string" },
  },
  "GET git/repositories/{repositoryId}": {
    doc: spec("git/repositories/get-repository"),
    shape: "object",
    fields: {
      id: "string",
      name: "string",
      url: "string",
      project: "object",
      defaultBranch: "string",
      remoteUrl: "string",
      webUrl: "string",
    },
  },
  "GET git/repositories/{repositoryId}/commits/{commitId}": {
    doc: spec("git/commits/get"),
    shape: "object",
    fields: {
      commitId: "string",
      author: "object",
      committer: "object",
      comment: "string",
      parents: "array",
      url: "string",
      remoteUrl: "string",
      treeId: "string",
    },
    nested: { committer: { name: "string", email: "string", date: "string" } },
  },
  "GET git/repositories/{repositoryId}/diffs/commits": {
    doc: spec("git/diffs/get"),
    shape: "object",
    fields: {
      aheadCount: "number",
      behindCount: "number",
      allChangesIncluded: "boolean",
      baseCommit: "string",
      targetCommit: "string",
      commonCommit: "string",
      changeCounts: "object",
      changes: "array",
    },
  },
  "GET git/repositories/{repositoryId}/refs": {
    doc: spec("git/refs/list"),
    shape: "wrapped",
    fields: { name: "string", objectId: "string", url: "string", creator: "object" },
  },
  "GET git/repositories/{repositoryId}/annotatedtags/{objectId}": {
    doc: spec("git/annotated-tags/get"),
    shape: "object",
    fields: {
      name: "string",
      objectId: "string",
      message: "string",
      taggedObject: "object",
      taggedBy: "object",
      url: "string",
    },
    nested: { taggedObject: { objectId: "string", objectType: "string" } },
  },
  "POST git/repositories/{repositoryId}/annotatedtags": {
    doc: spec("git/annotated-tags/create"),
    shape: "object",
    fields: {
      name: "string",
      objectId: "string",
      message: "string",
      taggedObject: "object",
      taggedBy: "object",
      url: "string",
    },
    nested: { taggedObject: { objectId: "string", objectType: "string" } },
  },
  "POST git/repositories/{repositoryId}/commitsbatch": {
    doc: spec("git/commits/get-commits-batch"),
    shape: "wrapped",
    fields: {
      commitId: "string",
      author: "object",
      committer: "object",
      comment: "string",
      url: "string",
    },
  },
  "POST git/repositories/{repositoryId}/pullrequestquery": {
    doc: spec("git/pull-request-query/get"),
    shape: "object",
    fields: { queries: "array", results: "array" },
  },
  "GitPullRequest (in pull request query results)": {
    doc: spec("git/pull-requests/get-pull-request"),
    shape: "object",
    fields: gitPullRequestFields,
    nested: {
      reviewers: {
        uniqueName: "string",
        displayName: "string",
        vote: "number",
        isContainer: "boolean",
      },
      labels: { id: "string", name: "string", active: "boolean" },
      createdBy: { uniqueName: "string", displayName: "string", id: "string" },
      lastMergeCommit: { commitId: "string", url: "string" },
    },
  },
  "GET git/repositories/{repositoryId}/commits/{commitId}/changes": {
    doc: spec("git/commits/get-changes"),
    shape: "object",
    fields: { changeCounts: "object", changes: "array" },
    nested: { changes: { item: "object", changeType: "string" } },
  },
  "GET git/repositories/{repositoryId}/commits/{commitId}/statuses": {
    doc: spec("git/statuses/list"),
    shape: "wrapped",
    fields: {
      id: "number",
      state: "string",
      description: "string",
      context: "object",
      creationDate: "string",
      updatedDate: "string",
      createdBy: "object",
      targetUrl: "string",
    },
    nested: { context: { name: "string", genre: "string" } },
  },
  "GET build/builds": {
    doc: spec("build/builds/list"),
    shape: "wrapped",
    fields: {
      id: "number",
      buildNumber: "string",
      status: "string",
      queueTime: "string",
      url: "string",
      definition: "object",
      project: "object",
      uri: "string",
      sourceBranch: "string",
      sourceVersion: "string",
      priority: "string",
      reason: "string",
      requestedFor: "object",
      repository: "object",
      _links: "object",
    },
    nested: {
      definition: { id: "number", name: "string" },
      repository: { id: "string", type: "string" },
    },
  },
  "GET build/builds/{buildId}/timeline": {
    doc: spec("build/timeline/get"),
    shape: "object",
    fields: {
      id: "string",
      changeId: "number",
      records: "array",
      url: "string",
      lastChangedBy: "string",
      lastChangedOn: "string",
    },
    nested: {
      records: {
        id: "string",
        parentId: "string|null",
        type: "string",
        name: "string",
        identifier: "string|null",
        state: "string",
        order: "number",
      },
    },
  },
  "GET pipelines/approvals": {
    doc: spec("approvalsandchecks/approvals/query"),
    shape: "wrapped",
    fields: {
      id: "string",
      status: "string",
      steps: "array",
      createdOn: "string",
      lastModifiedOn: "string",
      minRequiredApprovers: "number",
      executionOrder: "string",
      blockedApprovers: "array",
      _links: "object",
    },
    nested: {
      steps: {
        assignedApprover: "object",
        status: "string",
        initiatedOn: "string",
        lastModifiedOn: "string",
      },
    },
  },
  "GET policy/configurations": {
    doc: spec("policy/configurations/list"),
    shape: "wrapped",
    // `settings` is documented as a JObject: an object on the wire.
    fields: {
      id: "number",
      type: "object",
      url: "string",
      revision: "number",
      createdBy: "object",
      createdDate: "string",
      isBlocking: "boolean",
      isEnabled: "boolean",
      isDeleted: "boolean",
      settings: "object",
    },
  },
  [CREATE_WORK_ITEM]: {
    doc: spec("wit/work-items/create"),
    shape: "object",
    fields: workItemFields,
  },
  "PATCH wit/workitems/{id}": {
    doc: spec("wit/work-items/update"),
    shape: "object",
    fields: workItemFields,
  },
  "POST wit/wiql": {
    doc: spec("wit/wiql/query-by-wiql"),
    shape: "object",
    fields: {
      queryType: "string",
      queryResultType: "string",
      asOf: "string",
      columns: "array",
      workItems: "array",
    },
  },
};

/** Problems with one response against the documented table; `[]` when it conforms. */
export function azureDocumentedShapeProblems(route: string, body: unknown): string[] {
  const endpoint = AZURE_DOCUMENTED_FIELDS[route];
  if (!endpoint) return [`no documented fields for ${route}`];
  let items: unknown[];
  if (endpoint.shape === "wrapped") {
    const wrapper = body as { count?: unknown; value?: unknown } | null;
    if (
      !wrapper ||
      typeof wrapper !== "object" ||
      !Array.isArray(wrapper.value) ||
      typeof wrapper.count !== "number"
    ) {
      return [`${route}: expected a { count, value: [] } collection`];
    }
    if (wrapper.count !== wrapper.value.length)
      return [`${route}: count ${wrapper.count} != ${wrapper.value.length} items`];
    items = wrapper.value;
  } else {
    items = [body];
  }
  const problems: string[] = [];
  items.forEach((item, index) => {
    problems.push(...objectProblems(`${route}[${index}]`, item, endpoint.fields));
    for (const [field, fields] of Object.entries(endpoint.nested ?? {})) {
      const value = (item as Record<string, unknown>)?.[field];
      const elements = Array.isArray(value)
        ? value
        : value === null || value === undefined
          ? []
          : [value];
      for (const [i, element] of elements.entries()) {
        problems.push(...objectProblems(`${route}[${index}].${field}[${i}]`, element, fields));
      }
    }
  });
  return problems;
}

function objectProblems(
  where: string,
  item: unknown,
  fields: Record<string, DocumentedType>,
): string[] {
  if (item === null || typeof item !== "object" || Array.isArray(item))
    return [`${where}: expected an object`];
  const problems: string[] = [];
  for (const [field, type] of Object.entries(fields)) {
    if (!(field in item)) {
      problems.push(`${where}.${field}: missing`);
      continue;
    }
    const value = (item as Record<string, unknown>)[field];
    const [base, nullable] = type.split("|");
    const actual = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
    if (value === null ? nullable !== "null" : actual !== base)
      problems.push(`${where}.${field}: expected ${type}, got ${actual}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------

interface Location {
  id: string;
  area: string;
  resourceName: string;
  routeTemplate: string;
  /** The documented route this location serves, per method. */
  routes: Record<string, string>;
}

// The locations azure-devops-node-api asks for (ids from its generated clients), with Azure
// DevOps' route templates. The emulator routes requests by these same templates.
const LOCATIONS: Location[] = [
  {
    id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
    area: "Location",
    resourceName: "ResourceAreas",
    routeTemplate: "_apis/{resource}/{areaId}",
    routes: { GET: "GET _apis/ResourceAreas" },
  },
  {
    id: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
    area: "git",
    resourceName: "repositories",
    routeTemplate: "{project}/_apis/{area}/{resource}/{repositoryId}",
    routes: { GET: "GET git/repositories/{repositoryId}" },
  },
  {
    id: "c2570c3b-5b3f-41b8-98bf-5407bfde8d58",
    area: "git",
    resourceName: "commits",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{commitId}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}" },
  },
  {
    id: "615588d5-c0c7-4b88-88f8-e625306446e8",
    area: "git",
    resourceName: "diffs",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/commits",
    routes: { GET: "GET git/repositories/{repositoryId}/diffs/commits" },
  },
  {
    id: "2d874a60-a811-4f62-9c9f-963a6ea0a55b",
    area: "git",
    resourceName: "refs",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}",
    routes: { GET: "GET git/repositories/{repositoryId}/refs" },
  },
  {
    id: "5e8a8081-3851-4626-b677-9891cc04102e",
    area: "git",
    resourceName: "annotatedTags",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{objectId}",
    routes: {
      GET: "GET git/repositories/{repositoryId}/annotatedtags/{objectId}",
      POST: "POST git/repositories/{repositoryId}/annotatedtags",
    },
  },
  {
    id: "6400dfb2-0bcb-462b-b992-5a57f8f1416c",
    area: "git",
    resourceName: "commitsBatch",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}",
    routes: { POST: "POST git/repositories/{repositoryId}/commitsbatch" },
  },
  {
    id: "b3a6eebe-9cf0-49ea-b6cb-1a4c5f5007b0",
    area: "git",
    resourceName: "pullRequestQuery",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}",
    routes: { POST: "POST git/repositories/{repositoryId}/pullrequestquery" },
  },
  {
    id: "5bf884f5-3e07-42e9-afb8-1b872267bf16",
    area: "git",
    resourceName: "changes",
    routeTemplate:
      "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}/changes" },
  },
  {
    id: "428dd4fb-fda5-4722-af02-9313b80305da",
    area: "git",
    resourceName: "statuses",
    routeTemplate:
      "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}/statuses" },
  },
  {
    id: "0cd358e1-9217-4d94-8269-1c1ee6f93dcf",
    area: "build",
    resourceName: "builds",
    routeTemplate: "{project}/_apis/{area}/{resource}/{buildId}",
    routes: { GET: "GET build/builds" },
  },
  {
    id: "8baac422-4c6e-4de5-8532-db96d92acffa",
    area: "build",
    resourceName: "Timeline",
    routeTemplate: "{project}/_apis/{area}/builds/{buildId}/{resource}/{timelineId}",
    routes: { GET: "GET build/builds/{buildId}/timeline" },
  },
  {
    id: "dad91cbe-d183-45f8-9c6e-9c1164472121",
    area: "policy",
    resourceName: "configurations",
    routeTemplate: "{project}/_apis/{area}/{resource}/{configurationId}",
    routes: { GET: "GET policy/configurations" },
  },
  {
    id: "62d3d110-0047-428c-ad3c-4fe872c91c74",
    area: "wit",
    resourceName: "workItems",
    routeTemplate: `{project}/_apis/{area}/{resource}/${DOLLAR_TYPE}`,
    routes: { POST: CREATE_WORK_ITEM },
  },
  {
    id: "72c7ddf8-2cdc-4f60-90cd-ab71c14a399b",
    area: "wit",
    resourceName: "workItems",
    routeTemplate: "{project}/_apis/{area}/{resource}/{id}",
    routes: { PATCH: "PATCH wit/workitems/{id}" },
  },
  {
    id: "1a9c53f7-f243-4447-b110-35ef023636e4",
    area: "wit",
    resourceName: "wiql",
    routeTemplate: "{project}/{team}/_apis/{area}/{resource}/{id}",
    routes: { POST: "POST wit/wiql" },
  },
];

const RESOURCE_AREAS = [
  { id: "4e080c62-fa21-4fbc-8fef-2a10a2b38049", name: "git" },
  { id: "965220d5-5bb9-42cf-8d67-9b146df2a5a4", name: "build" },
  { id: "5264459e-e5e0-4bd8-b118-0985e68a4ec5", name: "wit" },
  { id: "fb13a388-40dd-4a04-b530-013a739c72ef", name: "policy" },
];

/** Matches path segments against a route template; returns the route values or null. */
function matchTemplate(location: Location, segments: string[]): Record<string, string> | null {
  const template = location.routeTemplate
    .replace("{area}", location.area)
    .replace("{resource}", location.resourceName)
    .split("/");
  const values: Record<string, string> = {};
  const go = (t: number, p: number): boolean => {
    if (t === template.length) return p === segments.length;
    const part = template[t]!;
    const param = /^(\$?)\{\*?(\w+)\}$/.exec(part);
    if (param) {
      const [, prefix, name] = param;
      const segment = segments[p];
      if (
        segment !== undefined &&
        segment.toLowerCase() !== "_apis" &&
        (!prefix || segment.startsWith(prefix))
      ) {
        values[name!] = prefix ? segment.slice(prefix.length) : segment;
        if (go(t + 1, p + 1)) return true;
        delete values[name!];
      }
      // Route values are optional: a missing one drops its segment.
      return prefix ? false : go(t + 1, p);
    }
    return segments[p]?.toLowerCase() === part.toLowerCase() && go(t + 1, p + 1);
  };
  return go(0, 0) ? values : null;
}

// ---------------------------------------------------------------------------------------

interface Commit {
  id: string;
  parents: string[];
  comment: string;
  author: string;
  date: string;
  seq: number;
  files: string[];
}

/** A pull request as stored by the emulator. */
export interface EmulatedPullRequest {
  pullRequestId: number;
  title: string;
  author: string;
  reviewers: { uniqueName: string; vote: number; isContainer?: boolean }[];
  labels: string[];
  status: "completed" | "active" | "abandoned";
  targetRefName: string;
  sourceRefName: string;
  creationDate: string;
  closedDate: string | null;
  lastMergeCommit: string;
  files: string[];
}

/** An injected failure for the next `times` matching requests. */
export interface AzureFault {
  method?: string;
  /** Matched against the path and query, e.g. `/acme/shop/_apis/build/builds?…`. */
  path: RegExp;
  times?: number;
  respond:
    | { status: number; headers?: Record<string, string>; body?: unknown }
    | { hangMs: number }
    | { destroy: true }
    | { rawBody: string; status?: number }
    /** Answer normally, adding these headers (e.g. Retry-After on a 200: soft throttling). */
    | { extraHeaders: Record<string, string> };
}

/** A request the emulator received. */
export interface AzureRecordedRequest {
  method: string;
  url: string;
  /** The documented route it matched, or null. */
  route: string | null;
  /** HTTP status sent; -1 connection dropped by a fault, -2 the client closed it while the emulator hung. */
  status: number;
  authorized: boolean;
}

/** Options of {@link startAzureDevOpsEmulator}. */
export interface AzureDevOpsEmulatorOptions {
  token?: string;
  organization?: string;
  project?: string;
  repository?: string;
  defaultBranch?: string;
  /** Largest `$top` the list endpoints accept. Default 1000. */
  maxPageSize?: number;
  onUnknownRequest?: (line: string) => void;
}

/** A running emulator. */
export interface AzureDevOpsEmulator {
  /** `http://127.0.0.1:<port>/<organization>`: pass as org_url. */
  readonly orgUrl: string;
  readonly token: string;
  readonly project: string;
  readonly repository: string;
  readonly repositoryId: string;
  readonly requests: AzureRecordedRequest[];
  readonly responses: { route: string; body: unknown }[];
  readonly unknownRequests: string[];
  readonly workItems: Map<number, { id: number; rev: number; fields: Record<string, unknown> }>;
  commit(input?: {
    parents?: string[];
    branch?: string;
    comment?: string;
    author?: string;
    files?: string[];
  }): string;
  branchHead(name: string): string | undefined;
  /** A tag; annotated when `message` is given. */
  tag(name: string, sha: string, message?: string): void;
  /** Completes a pull request into `targetBranch` (default: the default branch) with a merge (or squash) commit. */
  pullRequest(input: {
    title: string;
    author?: string;
    approvers?: string[];
    otherReviewers?: { uniqueName: string; vote: number; isContainer?: boolean }[];
    labels?: string[];
    files?: string[];
    targetBranch?: string;
    squash?: boolean;
  }): EmulatedPullRequest;
  status(input: {
    sha: string;
    name: string;
    genre?: string;
    state: string;
    targetUrl?: string;
  }): number;
  build(input: {
    sha: string;
    definition: string;
    status: string;
    result?: string;
    branch?: string;
    /** Stages of the run; each may wait on an approval with these steps. */
    stages?: {
      name: string;
      approval?: {
        status: string;
        steps: { approver: string; status: string; comment?: string }[];
      };
    }[];
  }): number;
  policy(input: {
    buildDefinition?: string;
    statusName?: string;
    statusGenre?: string;
    isBlocking: boolean;
    branch?: string;
  }): number;
  fail(fault: AzureFault): void;
  resetLog(): void;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const uuidOf = (text: string) => {
  const h = sha1(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** Starts an Azure DevOps emulator on 127.0.0.1 with a free port. */
export async function startAzureDevOpsEmulator(
  options: AzureDevOpsEmulatorOptions = {},
): Promise<AzureDevOpsEmulator> {
  const token = options.token ?? "test-token-not-real";
  const org = options.organization ?? "acme";
  const projectName = options.project ?? "shop";
  const repoName = options.repository ?? projectName;
  const defaultBranch = options.defaultBranch ?? "main";
  const maxPage = options.maxPageSize ?? 1000;
  const projectId = uuidOf(`project:${projectName}`);
  const repositoryId = uuidOf(`repo:${repoName}`);

  const commits = new Map<string, Commit>();
  const refs = new Map<string, string>(); // full ref name → object id
  const tagObjects = new Map<
    string,
    { name: string; commit: string; message: string; date: string }
  >();
  const pullRequests: EmulatedPullRequest[] = [];
  const statuses: {
    sha: string;
    id: number;
    state: string;
    name: string;
    genre: string;
    targetUrl: string;
    date: string;
  }[] = [];
  const builds: {
    id: number;
    definition: { id: number; name: string };
    status: string;
    result: string | null;
    sha: string;
    branch: string;
    queueTime: string;
    records: Record<string, unknown>[];
  }[] = [];
  const definitions = new Map<string, number>();
  const approvals = new Map<
    string,
    { id: string; status: string; createdOn: string; steps: Record<string, unknown>[] }
  >();
  const policies: Record<string, unknown>[] = [];
  const workItems = new Map<number, { id: number; rev: number; fields: Record<string, unknown> }>();
  const faults: (AzureFault & { left: number })[] = [];
  const requests: AzureRecordedRequest[] = [];
  const responses: { route: string; body: unknown }[] = [];
  const unknownRequests: string[] = [];
  let seq = 0;
  let ids = 100;
  let clock = Date.parse("2026-01-01T00:00:00.000Z");
  const tick = () => {
    clock += 60_000;
    return new Date(clock).toISOString();
  };
  let base = "";
  const orgBase = () => `${base}/${org}`;
  const identity = (uniqueName: string) => ({
    displayName: uniqueName.split("@")[0],
    url: `${orgBase()}/_apis/Identities/${uuidOf(uniqueName)}`,
    _links: {
      avatar: { href: `${orgBase()}/_apis/GraphProfile/MemberAvatars/${uuidOf(uniqueName)}` },
    },
    id: uuidOf(uniqueName),
    uniqueName,
    imageUrl: `${orgBase()}/_api/_common/identityImage?id=${uuidOf(uniqueName)}`,
    descriptor: `aad.${Buffer.from(uniqueName).toString("base64url")}`,
  });
  const repoUrl = () => `${orgBase()}/${projectId}/_apis/git/repositories/${repositoryId}`;
  const webRepoUrl = () =>
    `${orgBase()}/${encodeURIComponent(projectName)}/_git/${encodeURIComponent(repoName)}`;
  const projectRef = () => ({
    id: projectId,
    name: projectName,
    url: `${orgBase()}/_apis/projects/${projectId}`,
    state: "wellFormed",
    revision: 11,
    visibility: "private",
    lastUpdateTime: "2025-12-01T00:00:00Z",
  });

  // ---- repository graph -----------------------------------------------------------------
  const addCommit: AzureDevOpsEmulator["commit"] = (input = {}) => {
    const branchRef = input.branch ? `refs/heads/${input.branch}` : undefined;
    const parents =
      input.parents ?? (branchRef && refs.has(branchRef) ? [refs.get(branchRef)!] : []);
    seq += 1;
    const comment = input.comment ?? `commit ${seq}`;
    const id = sha1(`commit:${seq}:${comment}:${parents.join(",")}`);
    commits.set(id, {
      id,
      parents,
      comment,
      author: input.author ?? "dev@example.com",
      date: tick(),
      seq,
      files: input.files ?? [`src/file-${seq}.ts`],
    });
    if (branchRef) refs.set(branchRef, id);
    return id;
  };

  const ancestors = (start: string): Set<string> => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const p of commits.get(id)?.parents ?? []) stack.push(p);
    }
    return seen;
  };

  const peel = (objectId: string) => tagObjects.get(objectId)?.commit ?? objectId;

  /** Resolves a version descriptor (type as name or enum number) to a commit id. */
  const resolveVersion = (
    version: string | undefined,
    type: string | undefined,
  ): string | undefined => {
    if (!version) return undefined;
    const kind = String(type ?? "branch").toLowerCase();
    if (kind === "branch" || kind === "0") return refs.get(`refs/heads/${version}`);
    if (kind === "tag" || kind === "1") {
      const id = refs.get(`refs/tags/${version}`);
      return id ? peel(id) : undefined;
    }
    const lower = version.toLowerCase();
    return commits.has(lower) ? lower : undefined;
  };

  const gitUserDate = (who: string, date: string) => ({
    name: who.split("@")[0],
    email: who,
    date,
  });

  const commitRef = (c: Commit) => ({
    commitId: c.id,
    author: gitUserDate(c.author, c.date),
    committer: gitUserDate(c.author, c.date),
    comment: c.comment,
    changeCounts: { Edit: c.files.length },
    url: `${repoUrl()}/commits/${c.id}`,
    remoteUrl: `${webRepoUrl()}/commit/${c.id}`,
  });

  const tagEntity = (objectId: string) => {
    const t = tagObjects.get(objectId)!;
    return {
      name: `refs/tags/${t.name}`,
      objectId,
      taggedObject: { objectId: t.commit, objectType: "commit" },
      taggedBy: gitUserDate("release-bot@example.com", t.date),
      message: t.message,
      url: `${repoUrl()}/annotatedTags/${objectId}`,
    };
  };

  const prEntity = (pr: EmulatedPullRequest) => ({
    repository: {
      id: repositoryId,
      name: repoName,
      url: `${orgBase()}/_apis/git/repositories/${repositoryId}`,
      project: projectRef(),
    },
    pullRequestId: pr.pullRequestId,
    codeReviewId: pr.pullRequestId,
    status: pr.status,
    createdBy: identity(pr.author),
    creationDate: pr.creationDate,
    closedDate: pr.closedDate,
    title: pr.title,
    description: `${pr.title}\n`,
    sourceRefName: pr.sourceRefName,
    targetRefName: pr.targetRefName,
    mergeStatus: "succeeded",
    isDraft: false,
    mergeId: uuidOf(`merge:${pr.pullRequestId}`),
    lastMergeSourceCommit: {
      commitId: sha1(`source:${pr.pullRequestId}`),
      url: `${repoUrl()}/commits/${sha1(`source:${pr.pullRequestId}`)}`,
    },
    lastMergeTargetCommit: {
      commitId: commits.get(pr.lastMergeCommit)?.parents[0] ?? pr.lastMergeCommit,
      url: `${repoUrl()}/commits/x`,
    },
    lastMergeCommit: {
      commitId: pr.lastMergeCommit,
      url: `${repoUrl()}/commits/${pr.lastMergeCommit}`,
    },
    reviewers: pr.reviewers.map((r) => ({
      reviewerUrl: `${repoUrl()}/pullRequests/${pr.pullRequestId}/reviewers/${uuidOf(r.uniqueName)}`,
      vote: r.vote,
      hasDeclined: false,
      isRequired: false,
      isFlagged: false,
      ...identity(r.uniqueName),
      isContainer: Boolean(r.isContainer),
    })),
    labels: pr.labels.map((name) => ({
      id: uuidOf(`label:${name}`),
      name,
      active: true,
      url: `${orgBase()}/_apis/labels/${name}`,
    })),
    url: `${repoUrl()}/pullRequests/${pr.pullRequestId}`,
    supportsIterations: true,
    completionOptions: { mergeStrategy: "noFastForward" },
  });

  // ---- HTTP -----------------------------------------------------------------------------
  const send = (
    res: ServerResponse,
    record: AzureRecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    record.status = status;
    if (status >= 200 && status < 300 && record.route && body !== undefined)
      responses.push({ route: record.route, body });
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8; api-version=7.1",
      "x-tfs-processid": "00000000-0000-0000-0000-000000000000",
      ...headers,
    });
    res.end(body === undefined ? "" : JSON.stringify(body));
  };
  const vssError = (message: string, typeKey: string) => ({
    $id: "1",
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.${typeKey}, Microsoft.TeamFoundation`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
  const wrapped = (value: unknown[]) => ({ count: value.length, value });

  /** `$top` + `continuationToken` paging, as Builds, Refs and Policy configurations do. */
  const tokenPage = <T>(items: T[], url: URL, defaultTop: number) => {
    const top = Math.min(
      maxPage,
      Math.max(1, Number(url.searchParams.get("$top") ?? defaultTop) || defaultTop),
    );
    const tokenParam = url.searchParams.get("continuationToken");
    const start = tokenParam ? Number(Buffer.from(tokenParam, "base64url").toString("utf8")) : 0;
    const page = items.slice(start, start + top);
    const headers: Record<string, string> = {};
    if (start + top < items.length)
      headers["x-ms-continuationtoken"] = Buffer.from(String(start + top)).toString("base64url");
    return { page, headers };
  };
  /** `$top`/`$skip` (or `top`/`skip`) paging. */
  const skipPage = <T>(items: T[], url: URL, defaultTop: number) => {
    const top = Math.min(
      maxPage,
      Math.max(
        1,
        Number(url.searchParams.get("$top") ?? url.searchParams.get("top") ?? defaultTop) ||
          defaultTop,
      ),
    );
    const skip = Math.max(
      0,
      Number(url.searchParams.get("$skip") ?? url.searchParams.get("skip") ?? 0) || 0,
    );
    return items.slice(skip, skip + top);
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.length === 0) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };

  const authorized = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? "";
    if (!header.startsWith("Basic ")) return false;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    return decoded.slice(decoded.indexOf(":") + 1) === token;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const auth = authorized(req);
    const record: AzureRecordedRequest = {
      method,
      url: `${url.pathname}${url.search}`,
      route: null,
      status: 0,
      authorized: auth,
    };
    requests.push(record);
    const body = method === "GET" || method === "OPTIONS" ? undefined : await readBody(req);

    const fault = faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        f.path.test(`${url.pathname}${url.search}`),
    );
    let extraHeaders: Record<string, string> = {};
    if (fault) {
      fault.left -= 1;
      const r = fault.respond;
      if ("hangMs" in r) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, r.hangMs);
          res.on("close", () => {
            clearTimeout(timer);
            // The client gave up and closed the connection: mark it (tests check cancellation reached the socket).
            if (record.status === 0) record.status = -2;
            resolve();
          });
        });
        if (!res.destroyed) send(res, record, 504, vssError("emulator: hung", "GatewayTimeout"));
        return;
      }
      if ("destroy" in r) {
        record.status = -1;
        req.socket.destroy();
        return;
      }
      if ("rawBody" in r) {
        record.status = r.status ?? 200;
        res.writeHead(record.status, { "content-type": "application/json; charset=utf-8" });
        res.end(r.rawBody);
        return;
      }
      if ("extraHeaders" in r) extraHeaders = r.extraHeaders;
      else
        return send(res, record, r.status, r.body ?? vssError(`${r.status}`, "Fault"), r.headers);
    }

    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] !== org) return unknown(res, record, method, url);
    if (!auth)
      return send(
        res,
        record,
        401,
        vssError(
          "TF400813: The user '' is not authorized to access this resource.",
          "UnauthorizedRequestException",
        ),
      );
    const rest = segments.slice(1);

    if (method === "OPTIONS" && rest.length === 2 && rest[0]!.toLowerCase() === "_apis") {
      record.route = "OPTIONS _apis/{area}";
      const area = rest[1]!.toLowerCase();
      const value = LOCATIONS.filter((l) => l.area.toLowerCase() === area).map((l) => ({
        id: l.id,
        area: l.area,
        resourceName: l.resourceName,
        routeTemplate: l.routeTemplate,
        resourceVersion: 3,
        minVersion: "1.0",
        maxVersion: "7.2",
        releasedVersion: "7.1",
      }));
      return send(res, record, 200, wrapped(value), extraHeaders);
    }

    // Approvals have no generated client method; they are addressed by their documented URL.
    if (
      rest.length === 4 &&
      rest[1]!.toLowerCase() === "_apis" &&
      rest[2]!.toLowerCase() === "pipelines" &&
      rest[3]!.toLowerCase() === "approvals"
    ) {
      record.route = "GET pipelines/approvals";
      if (method !== "GET") return unknown(res, record, method, url);
      if (!projectMatches(rest[0]!)) return projectMissing(res, record, rest[0]!);
      const wanted = (url.searchParams.get("approvalIds") ?? "").split(",").filter(Boolean);
      const expandSteps = (url.searchParams.get("$expand") ?? "").toLowerCase().includes("steps");
      const found = [...approvals.values()]
        .filter((a) => wanted.length === 0 || wanted.includes(a.id))
        .map((a) => ({
          id: a.id,
          steps: expandSteps ? a.steps : [],
          status: a.status,
          createdOn: a.createdOn,
          lastModifiedOn: a.createdOn,
          instructions: "",
          minRequiredApprovers: 1,
          executionOrder: "anyOrder",
          blockedApprovers: [],
          _links: { self: { href: `${orgBase()}/${projectId}/_apis/pipelines/approvals/${a.id}` } },
        }));
      return send(res, record, 200, wrapped(found), extraHeaders);
    }

    for (const location of LOCATIONS) {
      const values = matchTemplate(location, rest);
      if (!values) continue;
      const route = location.routes[method];
      if (!route) continue;
      record.route = route;
      if (values.project !== undefined && !projectMatches(values.project))
        return projectMissing(res, record, values.project);
      const repoKey = values.repositoryId ?? values.repositoryNameOrId;
      if (
        repoKey !== undefined &&
        repoKey.toLowerCase() !== repositoryId &&
        repoKey.toLowerCase() !== repoName.toLowerCase()
      ) {
        return send(
          res,
          record,
          404,
          vssError(
            `TF401019: The Git repository with name or identifier ${repoKey} does not exist or you do not have permissions for the operation you are attempting.`,
            "GitRepositoryNotFoundException",
          ),
        );
      }
      return answer(route, res, record, url, values, body, extraHeaders);
    }
    return unknown(res, record, method, url);
  };

  const projectMatches = (value: string) =>
    value.toLowerCase() === projectName.toLowerCase() || value.toLowerCase() === projectId;
  const projectMissing = (res: ServerResponse, record: AzureRecordedRequest, value: string) =>
    send(
      res,
      record,
      404,
      vssError(
        `TF200016: The following project does not exist: ${value}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        "ProjectDoesNotExistWithNameException",
      ),
    );

  const unknown = (res: ServerResponse, record: AzureRecordedRequest, method: string, url: URL) => {
    const line = `${method} ${url.pathname}${url.search}`;
    unknownRequests.push(line);
    options.onUnknownRequest?.(line);
    send(res, record, 404, vssError("emulator: unknown route", "NotFound"));
  };

  const answer = (
    route: string,
    res: ServerResponse,
    record: AzureRecordedRequest,
    url: URL,
    values: Record<string, string>,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    const q = (name: string) => url.searchParams.get(name) ?? undefined;
    const ok = (value: unknown, extra: Record<string, string> = {}) =>
      send(res, record, 200, value, { ...headers, ...extra });
    const notFound = (message: string, typeKey: string) =>
      send(res, record, 404, vssError(message, typeKey));
    switch (route) {
      case "GET _apis/ResourceAreas":
        return ok(wrapped(RESOURCE_AREAS.map((a) => ({ ...a, locationUrl: `${orgBase()}/` }))));
      case "GET git/repositories/{repositoryId}":
        return ok({
          id: repositoryId,
          name: repoName,
          url: `${orgBase()}/${projectId}/_apis/git/repositories/${repositoryId}`,
          project: projectRef(),
          defaultBranch: `refs/heads/${defaultBranch}`,
          size: 1024,
          remoteUrl: `${orgBase()}/${encodeURIComponent(projectName)}/_git/${encodeURIComponent(repoName)}`,
          sshUrl: `git@ssh.dev.azure.com:v3/${org}/${projectName}/${repoName}`,
          webUrl: webRepoUrl(),
          isDisabled: false,
          isInMaintenance: false,
        });
      case "GET git/repositories/{repositoryId}/commits/{commitId}": {
        const commit = values.commitId ? commits.get(values.commitId.toLowerCase()) : undefined;
        if (!commit) {
          return notFound(
            `TF401175: The version descriptor <Commit: ${values.commitId}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        }
        return ok({
          treeId: sha1(`tree:${commit.id}`),
          ...commitRef(commit),
          parents: commit.parents,
          _links: {
            self: { href: `${repoUrl()}/commits/${commit.id}` },
            web: { href: `${webRepoUrl()}/commit/${commit.id}` },
          },
          push: { pushId: commit.seq, date: commit.date, pushedBy: identity(commit.author) },
        });
      }
      case "GET git/repositories/{repositoryId}/diffs/commits": {
        const baseCommit = resolveVersion(q("baseVersion"), q("baseVersionType"));
        const targetCommit = resolveVersion(q("targetVersion"), q("targetVersionType"));
        if (!baseCommit || !targetCommit) {
          const missing = !baseCommit ? q("baseVersion") : q("targetVersion");
          return notFound(
            `TF401175: The version descriptor <${missing}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        }
        const a = ancestors(baseCommit);
        const b = ancestors(targetCommit);
        const common = [...a]
          .filter((id) => b.has(id))
          .map((id) => commits.get(id)!)
          .sort((x, y) => y.seq - x.seq)[0];
        const ahead = [...b].filter((id) => !a.has(id));
        const changed = ahead.flatMap((id) => commits.get(id)!.files);
        const changes = skipPage(
          [...new Set(changed)].map((path) => ({
            item: {
              gitObjectType: "blob",
              commitId: targetCommit,
              path: `/${path}`,
              url: `${repoUrl()}/items/${path}`,
            },
            changeType: "edit",
          })),
          url,
          100,
        );
        return ok({
          allChangesIncluded: true,
          changeCounts: { Edit: changed.length },
          changes,
          commonCommit: common?.id ?? "",
          baseCommit,
          targetCommit,
          aheadCount: ahead.length,
          behindCount: [...a].filter((id) => !b.has(id)).length,
        });
      }
      case "GET git/repositories/{repositoryId}/refs": {
        const filter = q("filter") ?? "";
        const peelTags = q("peelTags") === "true";
        const all = [...refs.entries()]
          .filter(([name]) => name.startsWith(`refs/${filter}`))
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([name, objectId]) => ({
            name,
            objectId,
            ...(peelTags && tagObjects.has(objectId) ? { peeledObjectId: peel(objectId) } : {}),
            creator: identity("dev@example.com"),
            url: `${repoUrl()}/refs?filter=${encodeURIComponent(name.slice(5))}`,
          }));
        const { page, headers: pageHeaders } = tokenPage(all, url, 1000);
        return ok(wrapped(page), pageHeaders);
      }
      case "GET git/repositories/{repositoryId}/annotatedtags/{objectId}": {
        const id = values.objectId?.toLowerCase() ?? "";
        if (!tagObjects.has(id))
          return notFound(
            `TF401029: The tag object ${values.objectId} could not be found.`,
            "GitObjectNotFoundException",
          );
        return ok(tagEntity(id));
      }
      case "POST git/repositories/{repositoryId}/annotatedtags": {
        const input = (body ?? {}) as {
          name?: unknown;
          message?: unknown;
          taggedObject?: { objectId?: unknown };
        };
        const name = typeof input.name === "string" ? input.name.replace(/^refs\/tags\//, "") : "";
        const target =
          typeof input.taggedObject?.objectId === "string"
            ? input.taggedObject.objectId.toLowerCase()
            : "";
        if (!name || /[\s~^:?*[\\]|\.\.|^-|\/$/.test(name))
          return send(
            res,
            record,
            400,
            vssError(
              `TF401398: The tag name ${name} is not valid.`,
              "InvalidArgumentValueException",
            ),
          );
        if (typeof input.message !== "string" || input.message.length === 0)
          return send(
            res,
            record,
            400,
            vssError(
              "The message of an annotated tag cannot be empty.",
              "InvalidArgumentValueException",
            ),
          );
        if (!commits.has(target))
          return notFound(
            `TF401175: The version descriptor <Commit: ${target}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        if (refs.has(`refs/tags/${name}`))
          return send(
            res,
            record,
            409,
            vssError(
              `TF401289: The Git tag refs/tags/${name} already exists.`,
              "GitRefAlreadyExistsException",
            ),
          );
        const objectId = sha1(`tag:${name}:${input.message}`);
        tagObjects.set(objectId, { name, commit: target, message: input.message, date: tick() });
        refs.set(`refs/tags/${name}`, objectId);
        return send(res, record, 201, tagEntity(objectId), headers);
      }
      case "POST git/repositories/{repositoryId}/commitsbatch": {
        const criteria = (body ?? {}) as {
          itemVersion?: { version?: string; versionType?: string };
          compareVersion?: { version?: string; versionType?: string };
        };
        const head = criteria.itemVersion
          ? resolveVersion(criteria.itemVersion.version, criteria.itemVersion.versionType)
          : refs.get(`refs/heads/${defaultBranch}`);
        if (!head)
          return notFound(
            `TF401175: The version descriptor <${criteria.itemVersion?.version}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        let reachable = [...ancestors(head)];
        if (criteria.compareVersion) {
          const from = resolveVersion(
            criteria.compareVersion.version,
            criteria.compareVersion.versionType,
          );
          if (!from)
            return notFound(
              `TF401175: The version descriptor <${criteria.compareVersion.version}> could not be resolved to a version in the repository ${repoName}`,
              "GitItemNotFoundException",
            );
          const excluded = ancestors(from);
          reachable = reachable.filter((id) => !excluded.has(id));
        }
        const ordered = reachable.map((id) => commits.get(id)!).sort((x, y) => y.seq - x.seq);
        return ok(wrapped(skipPage(ordered, url, 100).map(commitRef)));
      }
      case "POST git/repositories/{repositoryId}/pullrequestquery": {
        const input = (body ?? {}) as { queries?: { type?: string | number; items?: string[] }[] };
        const queries = Array.isArray(input.queries) ? input.queries : [];
        const results = queries.map((query) => {
          const type = String(query.type ?? "").toLowerCase();
          const result: Record<string, unknown[]> = {};
          if (type !== "lastmergecommit" && type !== "1") return result;
          for (const item of query.items ?? []) {
            const matched = pullRequests.filter(
              (pr) => pr.lastMergeCommit === String(item).toLowerCase(),
            );
            if (matched.length > 0) result[item] = matched.map(prEntity);
          }
          return result;
        });
        return ok({ queries, results });
      }
      case "GET git/repositories/{repositoryId}/commits/{commitId}/changes": {
        const commit = values.commitId ? commits.get(values.commitId.toLowerCase()) : undefined;
        if (!commit)
          return notFound(
            `TF401175: The version descriptor <Commit: ${values.commitId}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        const entries: Record<string, unknown>[] = [];
        const folders = new Set<string>();
        for (const path of commit.files) {
          const folder = path.includes("/") ? `/${path.slice(0, path.lastIndexOf("/"))}` : null;
          if (folder && !folders.has(folder)) {
            folders.add(folder);
            entries.push({
              item: {
                gitObjectType: "tree",
                path: folder,
                isFolder: true,
                url: `${repoUrl()}/items${folder}`,
              },
              changeType: "edit",
            });
          }
          entries.push({
            item: {
              objectId: sha1(`blob:${path}:${commit.id}`),
              gitObjectType: "blob",
              commitId: commit.id,
              path: `/${path}`,
              url: `${repoUrl()}/items/${path}`,
            },
            changeType: "edit",
          });
        }
        return ok({
          changeCounts: { Edit: commit.files.length },
          changes: skipPage(entries, url, 100),
        });
      }
      case "GET git/repositories/{repositoryId}/commits/{commitId}/statuses": {
        let found = statuses.filter((s) => s.sha === values.commitId?.toLowerCase());
        if (q("latestOnly") === "true") {
          const latest = new Map<string, (typeof found)[number]>();
          for (const s of found) latest.set(`${s.genre}/${s.name}`, s);
          found = [...latest.values()];
        }
        const page = skipPage(found, url, 100).map((s) => ({
          id: s.id,
          state: s.state,
          description: `${s.name} ${s.state}`,
          context: { name: s.name, genre: s.genre },
          creationDate: s.date,
          updatedDate: s.date,
          createdBy: identity("ci-bot@example.com"),
          targetUrl: s.targetUrl,
          url: `${repoUrl()}/commits/${s.sha}/statuses/${s.id}`,
        }));
        return ok(wrapped(page));
      }
      case "GET build/builds": {
        let found = [...builds];
        const repositoryFilter = q("repositoryId");
        if (repositoryFilter && repositoryFilter.toLowerCase() !== repositoryId) found = [];
        const minTime = q("minTime");
        if (minTime) found = found.filter((b) => Date.parse(b.queueTime) >= Date.parse(minTime));
        const order = (q("queryOrder") ?? "queueTimeDescending").toLowerCase();
        found.sort(
          (x, y) =>
            (order.endsWith("ascending") ? 1 : -1) *
            (Date.parse(x.queueTime) - Date.parse(y.queueTime) || x.id - y.id),
        );
        const { page, headers: pageHeaders } = tokenPage(found, url, 1000);
        return ok(wrapped(page.map(buildEntity)), pageHeaders);
      }
      case "GET build/builds/{buildId}/timeline": {
        const build = builds.find((b) => String(b.id) === values.buildId);
        if (!build)
          return notFound(
            `The requested build ${values.buildId} could not be found.`,
            "BuildNotFoundException",
          );
        return ok({
          records: build.records,
          lastChangedBy: uuidOf("system"),
          lastChangedOn: build.queueTime,
          id: uuidOf(`timeline:${build.id}`),
          changeId: build.records.length,
          url: `${orgBase()}/${projectId}/_apis/build/builds/${build.id}/Timeline/${uuidOf(`timeline:${build.id}`)}`,
        });
      }
      case "GET policy/configurations": {
        const { page, headers: pageHeaders } = tokenPage(policies, url, 100);
        return ok(wrapped(page), pageHeaders);
      }
      case CREATE_WORK_ITEM: {
        const ops = Array.isArray(body)
          ? (body as { op?: unknown; path?: unknown; value?: unknown }[])
          : [];
        const fields: Record<string, unknown> = {};
        for (const op of ops) {
          if (
            (op.op !== "add" && op.op !== 0) ||
            typeof op.path !== "string" ||
            !op.path.startsWith("/fields/")
          ) {
            return send(
              res,
              record,
              400,
              vssError(
                `You must pass a valid patch document in the body of the request.`,
                "VssPropertyValidationException",
              ),
            );
          }
          fields[op.path.slice("/fields/".length)] = op.value;
        }
        const type = values.type ?? "";
        if (
          !["Bug", "Issue", "Task", "Incident"].some((t) => t.toLowerCase() === type.toLowerCase())
        ) {
          return notFound(
            `VS402323: Work item type ${type} does not exist in project ${projectName} or you do not have permission to access it.`,
            "WorkItemTypeNotFoundException",
          );
        }
        if (typeof fields["System.Title"] !== "string" || fields["System.Title"] === "") {
          return send(
            res,
            record,
            400,
            vssError(
              "TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InAdmin.",
              "RuleValidationException",
            ),
          );
        }
        const id = workItems.size + 1;
        const now = tick();
        const item = {
          id,
          rev: 1,
          fields: {
            "System.AreaPath": projectName,
            "System.TeamProject": projectName,
            "System.IterationPath": projectName,
            "System.WorkItemType": type,
            "System.State": "New",
            "System.Reason": "New",
            "System.CreatedDate": now,
            "System.CreatedBy": identity("shipgate-bot@example.com"),
            "System.ChangedDate": now,
            ...fields,
          },
        };
        workItems.set(id, item);
        return ok(workItemEntity(item));
      }
      case "PATCH wit/workitems/{id}": {
        const item = workItems.get(Number(values.id));
        if (!item)
          return notFound(
            `TF401232: Work item ${values.id} does not exist, or you do not have permissions to read it.`,
            "WorkItemUnauthorizedAccessException",
          );
        for (const op of Array.isArray(body)
          ? (body as { op?: unknown; path?: string; value?: unknown }[])
          : []) {
          if (typeof op.path === "string" && op.path.startsWith("/fields/"))
            item.fields[op.path.slice(8)] = op.value;
        }
        item.rev += 1;
        item.fields["System.ChangedDate"] = tick();
        return ok(workItemEntity(item));
      }
      case "POST wit/wiql": {
        const query = String((body as { query?: unknown })?.query ?? "");
        const tag = /\[System\.Tags\] CONTAINS '((?:[^']|'')*)'/i
          .exec(query)?.[1]
          ?.replaceAll("''", "'");
        const excluded = [...query.matchAll(/\[System\.State\] <> '((?:[^']|'')*)'/gi)].map((m) =>
          m[1]!.replaceAll("''", "'"),
        );
        const found = [...workItems.values()].filter((w) => {
          const tags = String(w.fields["System.Tags"] ?? "")
            .split(";")
            .map((t) => t.trim());
          return (
            (!tag || tags.includes(tag)) && !excluded.includes(String(w.fields["System.State"]))
          );
        });
        return ok({
          queryType: "flat",
          queryResultType: "workItem",
          asOf: new Date(clock).toISOString(),
          columns: [
            {
              referenceName: "System.Id",
              name: "ID",
              url: `${orgBase()}/_apis/wit/fields/System.Id`,
            },
          ],
          workItems: found.map((w) => ({
            id: w.id,
            url: `${orgBase()}/${projectId}/_apis/wit/workItems/${w.id}`,
          })),
        });
      }
      default:
        return unknown(res, record, record.method, url);
    }
  };

  const buildEntity = (b: (typeof builds)[number]) => ({
    _links: {
      self: { href: `${orgBase()}/${projectId}/_apis/build/Builds/${b.id}` },
      web: { href: `${orgBase()}/${projectId}/_build/results?buildId=${b.id}` },
      timeline: { href: `${orgBase()}/${projectId}/_apis/build/builds/${b.id}/Timeline` },
    },
    properties: {},
    tags: [],
    validationResults: [],
    plans: [{ planId: uuidOf(`plan:${b.id}`) }],
    id: b.id,
    buildNumber: `2026.1.${b.id}`,
    status: b.status,
    ...(b.result ? { result: b.result } : {}),
    queueTime: b.queueTime,
    ...(b.status !== "notStarted" ? { startTime: b.queueTime } : {}),
    ...(b.status === "completed"
      ? { finishTime: new Date(Date.parse(b.queueTime) + 30_000).toISOString() }
      : {}),
    url: `${orgBase()}/${projectId}/_apis/build/Builds/${b.id}`,
    definition: {
      drafts: [],
      id: b.definition.id,
      name: b.definition.name,
      url: `${orgBase()}/${projectId}/_apis/build/Definitions/${b.definition.id}?revision=1`,
      uri: `vstfs:///Build/Definition/${b.definition.id}`,
      path: "\\",
      type: "build",
      queueStatus: "enabled",
      revision: 1,
      project: projectRef(),
    },
    buildNumberRevision: 1,
    project: projectRef(),
    uri: `vstfs:///Build/Build/${b.id}`,
    sourceBranch: b.branch,
    sourceVersion: b.sha,
    queue: {
      id: 1,
      name: "Azure Pipelines",
      pool: { id: 1, name: "Azure Pipelines", isHosted: true },
    },
    priority: "normal",
    reason: "individualCI",
    requestedFor: identity("dev@example.com"),
    requestedBy: identity("ci-bot@example.com"),
    lastChangedDate: b.queueTime,
    lastChangedBy: identity("ci-bot@example.com"),
    orchestrationPlan: { planId: uuidOf(`plan:${b.id}`) },
    logs: {
      id: 0,
      type: "Container",
      url: `${orgBase()}/${projectId}/_apis/build/builds/${b.id}/logs`,
    },
    repository: {
      id: repositoryId,
      type: "TfsGit",
      name: repoName,
      url: `${webRepoUrl()}`,
      clean: null,
      checkoutSubmodules: false,
    },
    retainedByRelease: false,
    triggeredByBuild: null,
    appendCommitMessageToRunName: true,
  });

  const workItemEntity = (item: { id: number; rev: number; fields: Record<string, unknown> }) => ({
    id: item.id,
    rev: item.rev,
    fields: item.fields,
    _links: {
      self: { href: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}` },
      workItemUpdates: { href: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}/updates` },
      html: { href: `${orgBase()}/${projectId}/_workitems/edit/${item.id}` },
    },
    url: `${orgBase()}/${projectId}/_apis/wit/workItems/${item.id}`,
  });

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(vssError(`emulator error: ${String(error)}`, "InternalError")));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const definitionId = (name: string) => {
    if (!definitions.has(name)) definitions.set(name, definitions.size + 10);
    return definitions.get(name)!;
  };

  return {
    get orgUrl() {
      return orgBase();
    },
    token,
    project: projectName,
    repository: repoName,
    repositoryId,
    requests,
    responses,
    unknownRequests,
    workItems,
    commit: addCommit,
    branchHead: (name) => refs.get(`refs/heads/${name}`),
    tag(name, sha, message) {
      if (message) {
        const objectId = sha1(`tag:${name}:${message}`);
        tagObjects.set(objectId, { name, commit: sha, message, date: tick() });
        refs.set(`refs/tags/${name}`, objectId);
      } else {
        refs.set(`refs/tags/${name}`, sha);
      }
    },
    pullRequest(input) {
      const target = input.targetBranch ?? defaultBranch;
      const targetRef = `refs/heads/${target}`;
      if (!refs.has(targetRef)) addCommit({ branch: target, comment: "Initial commit" });
      const head = refs.get(targetRef)!;
      const id = pullRequests.length + 1;
      const creationDate = tick();
      const files = input.files ?? [`src/change-${id}.ts`];
      let merge: string;
      if (input.squash) {
        merge = addCommit({
          parents: [head],
          comment: `Merged PR ${id}: ${input.title}`,
          author: input.author ?? "dev@example.com",
          files,
        });
      } else {
        const feature = addCommit({
          parents: [head],
          comment: input.title,
          author: input.author ?? "dev@example.com",
          files,
        });
        merge = addCommit({
          parents: [head, feature],
          comment: `Merged PR ${id}: ${input.title}`,
          author: input.author ?? "dev@example.com",
          files,
        });
      }
      refs.set(targetRef, merge);
      const pr: EmulatedPullRequest = {
        pullRequestId: id,
        title: input.title,
        author: input.author ?? "dev@example.com",
        reviewers: [
          ...(input.approvers ?? []).map((uniqueName) => ({ uniqueName, vote: 10 })),
          ...(input.otherReviewers ?? []),
        ],
        labels: input.labels ?? [],
        status: "completed",
        targetRefName: targetRef,
        sourceRefName: `refs/heads/feature/pr-${id}`,
        creationDate,
        closedDate: commits.get(merge)!.date,
        lastMergeCommit: merge,
        files,
      };
      pullRequests.push(pr);
      return pr;
    },
    status({ sha, name, genre = "", state, targetUrl }) {
      const id = ++ids;
      statuses.push({
        sha,
        id,
        state,
        name,
        genre,
        targetUrl: targetUrl ?? `${base}/ci/${id}`,
        date: tick(),
      });
      return id;
    },
    build({ sha, definition, status, result, branch = defaultBranch, stages = [] }) {
      const id = ++ids;
      const records: Record<string, unknown>[] = [];
      stages.forEach((stage, index) => {
        const stageId = uuidOf(`stage:${id}:${stage.name}`);
        records.push({
          id: stageId,
          parentId: null,
          type: "Stage",
          name: stage.name,
          identifier: stage.name.replace(/\W/g, "_"),
          state: "completed",
          result: "succeeded",
          order: index + 1,
        });
        if (stage.approval) {
          const checkpoint = uuidOf(`checkpoint:${id}:${stage.name}`);
          const approvalId = uuidOf(`approval:${id}:${stage.name}`);
          records.push({
            id: checkpoint,
            parentId: stageId,
            type: "Checkpoint",
            name: "Checkpoint",
            identifier: `Checkpoint_${index}`,
            state: "completed",
            result: "succeeded",
            order: 1,
          });
          records.push({
            id: approvalId,
            parentId: checkpoint,
            type: "Checkpoint.Approval",
            name: "Checkpoint.Approval",
            identifier: approvalId,
            state: "completed",
            result: "succeeded",
            order: 1,
          });
          const createdOn = tick();
          approvals.set(approvalId, {
            id: approvalId,
            status: stage.approval.status,
            createdOn,
            steps: stage.approval.steps.map((step, i) => {
              const at = tick();
              return {
                assignedApprover: identity(step.approver),
                ...(step.status === "pending" ? {} : { actualApprover: identity(step.approver) }),
                status: step.status,
                comment: step.comment ?? "",
                initiatedOn: createdOn,
                lastModifiedOn: at,
                order: i + 1,
                history: [],
              };
            }),
          });
        }
      });
      builds.push({
        id,
        definition: { id: definitionId(definition), name: definition },
        status,
        result: result ?? null,
        sha,
        branch: `refs/heads/${branch}`,
        queueTime: tick(),
        records,
      });
      return id;
    },
    policy({ buildDefinition, statusName, statusGenre, isBlocking, branch = defaultBranch }) {
      const id = policies.length + 1;
      const settings: Record<string, unknown> = {
        scope: [{ refName: `refs/heads/${branch}`, matchKind: "Exact", repositoryId }],
      };
      let type = {
        id: "fa6a9d52-7ab2-4e1d-a0d8-e4e1dd3e6f46",
        displayName: "Minimum number of reviewers",
      };
      if (buildDefinition) {
        settings.buildDefinitionId = definitionId(buildDefinition);
        settings.displayName = buildDefinition;
        settings.queueOnSourceUpdateOnly = true;
        settings.validDuration = 720;
        type = { id: "0609b952-1397-4640-95ec-e00a01b2c241", displayName: "Build" };
      } else if (statusName) {
        settings.statusName = statusName;
        settings.statusGenre = statusGenre ?? "";
        type = { id: "cbdc66da-9728-4af8-aada-9a5a32e4a226", displayName: "Status" };
      }
      policies.push({
        createdBy: identity("admin@example.com"),
        createdDate: "2025-12-01T00:00:00Z",
        isEnabled: true,
        isBlocking,
        isDeleted: false,
        settings,
        _links: { self: { href: `${orgBase()}/${projectId}/_apis/policy/configurations/${id}` } },
        revision: 1,
        id,
        url: `${orgBase()}/${projectId}/_apis/policy/configurations/${id}`,
        type: { ...type, url: `${orgBase()}/${projectId}/_apis/policy/types/${type.id}` },
      });
      return id;
    },
    fail(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    resetLog() {
      requests.length = 0;
      responses.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Used by tests: a random id no emulator commit has. */
export const missingAzureSha = () => sha1(`missing:${randomUUID()}`);
