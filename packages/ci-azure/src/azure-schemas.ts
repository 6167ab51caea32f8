import { z } from "zod";

// The fields of Azure DevOps REST 7.1 answers the adapter reads (a subset of the documented
// ones, see AZURE_DOCUMENTED_FIELDS in azure-emulator.ts). azure-devops-node-api turns dates
// into Date objects and enum names into numbers for the responses of its generated methods;
// lists read page by page keep the wire format. The schemas accept both.

const sha = z.string().regex(/^[0-9a-f]{40}$/i, "expected a 40-hex sha");

/** A date as the wire (ISO string) or the client (Date) gives it; out: ISO string or null. */
export const azureDate = z
  .union([z.string(), z.date()])
  .nullish()
  .transform((value) => {
    if (value === null || value === undefined) return null;
    const time = value instanceof Date ? value.getTime() : Date.parse(value);
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  });

/** An enum as the wire (name) or the client (number) gives it; out: the camelCase name. */
export function azureEnum(names: Record<number, string>) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    // Names the client does not know yet pass through as given; callers map them conservatively.
    const name =
      typeof value === "number" ? names[value] : value.charAt(0).toLowerCase() + value.slice(1);
    if (name === undefined) {
      ctx.addIssue({ code: "custom", message: `unknown value ${value}` });
      return z.NEVER;
    }
    return name;
  });
}

const identity = z.object({
  displayName: z.string().optional(),
  uniqueName: z.string().optional(),
  isContainer: z.boolean().optional(),
});

/** Login of an identity: uniqueName (e-mail or DOMAIN\user), else the display name. */
export function identityLogin(
  identity: { uniqueName?: string | undefined; displayName?: string | undefined } | undefined,
): string {
  return identity?.uniqueName || identity?.displayName || "unknown";
}

/** GET git/repositories/{id} (https://learn.microsoft.com/rest/api/azure/devops/git/repositories/get-repository?view=azure-devops-rest-7.1). */
export const repositorySchema = z.object({
  id: z.string(),
  name: z.string(),
  webUrl: z.string().optional(),
  defaultBranch: z.string().nullish(),
});

/** GET git/repositories/{id}/commits/{commitId}. */
export const commitSchema = z.object({
  commitId: sha,
  committer: z.object({ date: azureDate }).optional(),
});

/** GET git/repositories/{id}/diffs/commits. */
export const commitDiffsSchema = z.object({ commonCommit: z.string().nullish() });

/** GET git/repositories/{id}/refs (wire format, one page). */
export const refListSchema = z.array(
  z.object({ name: z.string(), objectId: z.string(), peeledObjectId: z.string().nullish() }),
);

/** GET/POST git/repositories/{id}/annotatedtags. */
export const annotatedTagSchema = z.object({
  name: z.string(),
  objectId: z.string(),
  message: z.string().nullish(),
  taggedObject: z.object({ objectId: z.string() }),
});

/** POST git/repositories/{id}/commitsbatch (wire format, one page). */
export const commitRefListSchema = z.array(z.object({ commitId: sha }));

const pullRequestStatusNames: Record<number, string> = {
  0: "notSet",
  1: "active",
  2: "abandoned",
  3: "completed",
  4: "all",
};

/** A GitPullRequest as found in pull request query results. */
export const pullRequestSchema = z.object({
  pullRequestId: z.number().int().positive(),
  title: z.string(),
  status: azureEnum(pullRequestStatusNames),
  targetRefName: z.string(),
  createdBy: identity,
  closedDate: azureDate,
  creationDate: azureDate,
  lastMergeCommit: z.object({ commitId: z.string() }).nullish(),
  reviewers: z.array(identity.extend({ vote: z.number() })).nullish(),
  labels: z.array(z.object({ name: z.string(), active: z.boolean().nullish() })).nullish(),
});
export type AzurePullRequest = z.output<typeof pullRequestSchema>;

/** POST git/repositories/{id}/pullrequestquery: results[n] is a dictionary commit → pull requests. */
export const pullRequestQuerySchema = z.object({
  results: z.array(z.record(z.string(), z.array(pullRequestSchema))),
});

/** GET git/repositories/{id}/commits/{commitId}/changes. */
export const commitChangesSchema = z.object({
  changes: z.array(
    z.object({
      item: z.object({
        path: z.string(),
        isFolder: z.boolean().nullish(),
        gitObjectType: z.union([z.string(), z.number()]).nullish(),
      }),
    }),
  ),
});

const statusStateNames: Record<number, string> = {
  0: "notSet",
  1: "pending",
  2: "succeeded",
  3: "failed",
  4: "error",
  5: "notApplicable",
  6: "partiallySucceeded",
};

/** GET git/repositories/{id}/commits/{commitId}/statuses (wire format, one page). */
export const statusListSchema = z.array(
  z.object({
    id: z.number(),
    state: azureEnum(statusStateNames),
    context: z.object({ name: z.string(), genre: z.string().nullish() }),
    targetUrl: z.string().nullish(),
    creationDate: azureDate,
    updatedDate: azureDate,
  }),
);
export type AzureGitStatus = z.output<typeof statusListSchema>[number];

/** GET build/builds (wire format, one page). */
export const buildListSchema = z.array(
  z.object({
    id: z.number(),
    buildNumber: z.string().nullish(),
    status: z.string(),
    result: z.string().nullish(),
    sourceVersion: z.string().nullish(),
    sourceBranch: z.string().nullish(),
    queueTime: azureDate,
    startTime: azureDate,
    finishTime: azureDate,
    definition: z.object({ id: z.number(), name: z.string() }),
    _links: z.object({ web: z.object({ href: z.string() }).optional() }).optional(),
  }),
);
export type AzureBuild = z.output<typeof buildListSchema>[number];

/** GET policy/configurations (wire format, one page). */
export const policyListSchema = z.array(
  z.object({
    id: z.number(),
    isBlocking: z.boolean(),
    isEnabled: z.boolean(),
    isDeleted: z.boolean().nullish(),
    settings: z
      .object({
        buildDefinitionId: z.number().nullish(),
        statusName: z.string().nullish(),
        statusGenre: z.string().nullish(),
        scope: z
          .array(
            z.object({
              repositoryId: z.string().nullish(),
              refName: z.string().nullish(),
              matchKind: z.string().nullish(),
            }),
          )
          .nullish(),
      })
      .passthrough(),
  }),
);
export type AzurePolicy = z.output<typeof policyListSchema>[number];

/** GET build/builds/{id}/timeline. */
export const timelineSchema = z.object({
  records: z.array(
    z.object({
      id: z.string(),
      parentId: z.string().nullish(),
      type: z.string().nullish(),
      name: z.string().nullish(),
      identifier: z.string().nullish(),
    }),
  ),
});

/** GET pipelines/approvals (wrapped list). */
export const approvalListSchema = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      status: z.string(),
      steps: z.array(
        z.object({
          status: z.string(),
          actualApprover: identity.nullish(),
          assignedApprover: identity.nullish(),
          comment: z.string().nullish(),
          lastModifiedOn: azureDate,
          initiatedOn: azureDate,
        }),
      ),
      _links: z.record(z.string(), z.object({ href: z.string() })).optional(),
    }),
  ),
});

/** POST wit/workitems/${type} and PATCH wit/workitems/{id}. */
export const workItemSchema = z.object({
  id: z.number(),
  url: z.string(),
  _links: z.object({ html: z.object({ href: z.string() }).optional() }).optional(),
});

/** POST wit/wiql. */
export const wiqlResultSchema = z.object({ workItems: z.array(z.object({ id: z.number() })) });

/** POST wit/workitemsbatch: each work item with the fields asked for, null where one was deleted. */
export const workItemBatchSchema = z.array(
  workItemSchema.extend({ fields: z.record(z.string(), z.unknown()).optional() }).nullable(),
);
