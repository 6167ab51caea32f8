import type { CommitLookup, SourceControl, TagInfo } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import type { GitVersionType } from "azure-devops-node-api/interfaces/GitInterfaces";
import { errAsync } from "neverthrow";
import { type AzureChangesOptions, listAzureChanges } from "./azure-changes.js";
import { type AzureClient, parseVendor } from "./azure-client.js";
import {
  annotatedTagSchema,
  commitDiffsSchema,
  commitSchema,
  refListSchema,
} from "./azure-schemas.js";

/** Options of {@link createAzureSourceControl}. */
export interface AzureSourceControlOptions extends AzureChangesOptions {
  releaseBranch: string;
}

const SHA = /^[0-9a-f]{40}$/i;
const REFS_LOCATION = "2d874a60-a811-4f62-9c9f-963a6ea0a55b";

// The client declares version types as numbers; the wire also takes the documented names.
const versionType = (name: "branch" | "tag" | "commit") => name as unknown as GitVersionType;

/** The ref of tag `name`, peeled, or null. Exported for listChanges. */
export async function findAzureTag(
  client: AzureClient,
  name: string,
): Promise<{ name: string; objectId: string; sha: string; annotated: boolean } | null> {
  const repo = await client.repo();
  const api = await client.git();
  const wanted = `refs/tags/${name}`;
  let continuationToken: string | undefined;
  do {
    // `filter` is a prefix: "tags/v1" also lists v1.1, v10, … hence the exact match below.
    const page = await client.getPage(api, {
      area: "git",
      locationId: REFS_LOCATION,
      apiVersion: "7.1",
      routeValues: { project: client.project, repositoryId: repo.id },
      query: {
        filter: `tags/${name}`,
        peelTags: true,
        $top: 100,
        ...(continuationToken ? { continuationToken } : {}),
      },
    });
    if (page === null) return null;
    const refs = parseVendor(
      refListSchema,
      page.value,
      `GET git/repositories/${repo.name}/refs?filter=tags/${name}`,
    );
    const ref = refs.find((r) => r.name === wanted);
    if (ref) {
      return {
        name,
        objectId: ref.objectId.toLowerCase(),
        // An annotated tag's ref points at the tag object; peeling gives the commit.
        sha: (ref.peeledObjectId ?? ref.objectId).toLowerCase(),
        annotated: Boolean(ref.peeledObjectId),
      };
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return null;
}

const shortTagName = (name: string) => name.replace(/^refs\/tags\//, "");

/**
 * A {@link SourceControl} on an Azure Repos repository, through azure-devops-node-api:
 *
 * - `getCommit`: Commits - Get, then Diffs - Get with the commit as base and the release branch
 *   as target: the commit is on the branch when it is their common commit (no history walk);
 * - `getTag`: Refs - List (`filter=tags/<name>`, `peelTags`), plus Annotated Tags - Get for the message;
 * - `createAnnotatedTag`: Annotated Tags - Create (an existing tag answers 409 → `conflict`);
 * - `listChanges`: see {@link listAzureChanges}.
 */
export function createAzureSourceControl(
  client: AzureClient,
  options: AzureSourceControlOptions,
): SourceControl {
  const { releaseBranch } = options;
  const invalidSha = (sha: unknown) =>
    errAsync(
      new ShipgateError(
        "invalid_input",
        `Expected a full 40-hex commit sha, got ${JSON.stringify(sha)}`,
        { field: "sha" },
      ),
    );
  const invalidName = () =>
    errAsync(
      new ShipgateError("invalid_input", "A tag name must be a non-empty string", {
        field: "name",
      }),
    );

  return {
    name: "azure-devops",
    getCommit(sha, { signal }) {
      if (typeof sha !== "string" || !SHA.test(sha)) return invalidSha(sha);
      return client.call(
        signal,
        "looking up an Azure Repos commit",
        async (): Promise<CommitLookup> => {
          const repo = await client.repo();
          const git = await client.git();
          const commit = await client.send(() => git.getCommit(sha, repo.id, client.project));
          if (commit === null || commit === undefined)
            return { sha, exists: false, releaseBranch, onReleaseBranch: false };
          parseVendor(commitSchema, commit, `GET git/repositories/${repo.name}/commits/${sha}`);
          const diffs = await client.send(() =>
            git.getCommitDiffs(
              repo.id,
              client.project,
              true,
              1,
              0,
              { version: sha, versionType: versionType("commit") },
              { version: releaseBranch, versionType: versionType("branch") },
            ),
          );
          if (diffs === null || diffs === undefined) {
            throw new ShipgateError(
              "not_found",
              `Release branch ${releaseBranch} does not exist in ${client.project}/${client.repository}`,
              {
                field: "with.release_branch",
                hint: "Set release_branch to the branch releases are cut from",
              },
            );
          }
          const { commonCommit } = parseVendor(
            commitDiffsSchema,
            diffs,
            `GET git/repositories/${repo.name}/diffs/commits`,
          );
          return {
            sha,
            exists: true,
            releaseBranch,
            onReleaseBranch: commonCommit?.toLowerCase() === sha.toLowerCase(),
          };
        },
      );
    },

    getTag(name, { signal }) {
      if (typeof name !== "string" || name.length === 0) return invalidName();
      return client.call(
        signal,
        "reading an Azure Repos tag",
        async (): Promise<TagInfo | null> => {
          const found = await findAzureTag(client, name);
          if (!found) return null;
          if (!found.annotated) return { name, sha: found.sha, annotated: false };
          const repo = await client.repo();
          const git = await client.git();
          const raw = await client.send(() =>
            git.getAnnotatedTag(client.project, repo.id, found.objectId),
          );
          if (raw === null || raw === undefined) return { name, sha: found.sha, annotated: true };
          const tag = parseVendor(
            annotatedTagSchema,
            raw,
            `GET git/repositories/${repo.name}/annotatedtags/${found.objectId}`,
          );
          return {
            name,
            sha: found.sha,
            annotated: true,
            ...(tag.message ? { message: tag.message } : {}),
          };
        },
      );
    },

    createAnnotatedTag({ name, sha, message }, { signal }) {
      if (typeof sha !== "string" || !SHA.test(sha)) return invalidSha(sha);
      if (typeof name !== "string" || name.length === 0) return invalidName();
      if (typeof message !== "string" || message.trim().length === 0) {
        return errAsync(
          new ShipgateError("invalid_input", "An annotated tag needs a non-empty message", {
            field: "message",
          }),
        );
      }
      return client.call(signal, "creating an Azure Repos tag", async (): Promise<TagInfo> => {
        const repo = await client.repo();
        const git = await client.git();
        let raw: unknown;
        try {
          raw = await client.send(
            () =>
              git.createAnnotatedTag(
                { name, message, taggedObject: { objectId: sha } },
                client.project,
                repo.id,
              ),
            false,
          );
        } catch (thrown) {
          if (ShipgateError.isInstance(thrown) && thrown.kind === "conflict") {
            throw new ShipgateError(
              "conflict",
              `Tag ${name} already exists in ${client.project}/${client.repository}`,
              {
                ...(thrown.request ? { request: thrown.request } : {}),
                ...(thrown.status ? { status: thrown.status } : {}),
                ...(thrown.vendorMessage ? { vendorMessage: thrown.vendorMessage } : {}),
                cause: thrown,
              },
            );
          }
          throw thrown;
        }
        const tag = parseVendor(
          annotatedTagSchema,
          raw,
          `POST git/repositories/${repo.name}/annotatedtags`,
        );
        return {
          name: shortTagName(tag.name),
          sha: tag.taggedObject.objectId.toLowerCase(),
          annotated: true,
          ...(tag.message ? { message: tag.message } : {}),
          // The repository is the checkout's origin: the tag is published already.
          pushedTo: "origin",
        };
      });
    },

    listChanges(range, { signal }) {
      if (typeof range?.toSha !== "string" || !SHA.test(range.toSha))
        return invalidSha(range?.toSha);
      return client.call(signal, "listing Azure Repos pull requests", () =>
        listAzureChanges(client, { ...options, fromTag: range.fromTag, toSha: range.toSha }),
      );
    },
  };
}
