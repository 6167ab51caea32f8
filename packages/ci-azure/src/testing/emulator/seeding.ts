import { type AzureState, sha1, uuidOf } from "./state.js";
import type { AzureDevOpsEmulator, EmulatedPullRequest } from "./types.js";

/** The emulator's seeding methods: commits, tags, pull requests, statuses, builds, policies. */
export function azureSeeding(
  s: AzureState,
): Pick<
  AzureDevOpsEmulator,
  "commit" | "branchHead" | "tag" | "pullRequest" | "status" | "build" | "policy"
> {
  const {
    addCommit,
    approvals,
    builds,
    commits,
    defaultBranch,
    definitionId,
    identity,
    nextId,
    orgBase,
    policies,
    projectId,
    pullRequests,
    refs,
    repositoryId,
    statuses,
    tagObjects,
    tick,
  } = s;
  return {
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
      const id = nextId();
      statuses.push({
        sha,
        id,
        state,
        name,
        genre,
        targetUrl: targetUrl ?? `${s.base}/ci/${id}`,
        date: tick(),
      });
      return id;
    },
    build({ sha, definition, status, result, branch = defaultBranch, stages = [] }) {
      const id = nextId();
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
  };
}
