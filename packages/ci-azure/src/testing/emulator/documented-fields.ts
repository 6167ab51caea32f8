// Azure DevOps' documented response fields, per route, from the REST 7.1 reference; tests
// check every 2xx answer the emulator recorded against this table.

import { type DocumentedFieldType, documentedFieldProblems } from "@shipgate/core/testing/emulator";

/** A documented field type; `|null` marks a nullable field. */
export type DocumentedType = DocumentedFieldType;

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
export const DOLLAR_TYPE = "$" + "{type}";
export const CREATE_WORK_ITEM = `POST wit/workitems/${DOLLAR_TYPE}`;

const spec = (path: string) =>
  `https://learn.microsoft.com/en-us/rest/api/azure/devops/${path}?view=azure-devops-rest-7.1`;

/** An annotated tag, as Annotated Tags - Get answers it and Annotated Tags - Create echoes it. */
const ANNOTATED_TAG: Omit<DocumentedEndpoint, "doc"> = {
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
};

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
    ...ANNOTATED_TAG,
  },
  "POST git/repositories/{repositoryId}/annotatedtags": {
    doc: spec("git/annotated-tags/create"),
    ...ANNOTATED_TAG,
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
  "POST wit/workitemsbatch": {
    doc: spec("wit/work-items/get-work-items-batch"),
    shape: "wrapped",
    // `fields` holds the requested fields that have a value; `_links` comes only with
    // `$expand` links or all.
    fields: { id: "number", rev: "number", fields: "object", url: "string" },
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
    problems.push(...documentedFieldProblems(`${route}[${index}]`, item, endpoint.fields));
    for (const [field, fields] of Object.entries(endpoint.nested ?? {})) {
      const value = (item as Record<string, unknown>)?.[field];
      const elements = Array.isArray(value)
        ? value
        : value === null || value === undefined
          ? []
          : [value];
      for (const [i, element] of elements.entries()) {
        problems.push(
          ...documentedFieldProblems(`${route}[${index}].${field}[${i}]`, element, fields),
        );
      }
    }
  });
  return problems;
}
