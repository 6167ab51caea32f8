import type { CommitLookup, SourceControl, TagInfo } from "@shipgate/core";
import { ShipgateError } from "@shipgate/core";
import { errAsync } from "neverthrow";
import { type GitLabChangesOptions, listGitLabChanges } from "./gitlab-changes.js";
import { type GitLabClient, parseVendor } from "./gitlab-client.js";
import { commitSchema, tagSchema } from "./gitlab-schemas.js";

/** Options of {@link createGitLabSourceControl}. */
export interface GitLabSourceControlOptions extends GitLabChangesOptions {
  /** The branch releases are cut from. */
  releaseBranch: string;
}

const SHA = /^[0-9a-f]{40}$/i;

/** True for a ShipgateError `not_found` whose GitLab message names `what` (`404 Commit Not Found`). */
export function isGitLabNotFound(thrown: unknown, what: RegExp): boolean {
  return (
    ShipgateError.isInstance(thrown) &&
    thrown.kind === "not_found" &&
    what.test(thrown.vendorMessage ?? "")
  );
}

function toTagInfo(raw: unknown, request: string): TagInfo {
  const tag = parseVendor(tagSchema, raw, request);
  // `target` is the tag object for an annotated tag and the commit itself for a lightweight one.
  const annotated = tag.target.toLowerCase() !== tag.commit.id.toLowerCase();
  return {
    name: tag.name,
    sha: tag.commit.id.toLowerCase(),
    annotated,
    ...(tag.message ? { message: tag.message } : {}),
  };
}

/**
 * A {@link SourceControl} on a GitLab project, through gitbeaker:
 *
 * - `getCommit`: `GET /repository/commits/:sha`, then `GET /repository/merge_base?refs[]=sha&refs[]=<branch>`;
 *   the commit is on the branch when the merge base is the commit itself (one request, no
 *   walking of history).
 * - `getTag` / `createAnnotatedTag`: the Tags API; a tag created with a message is annotated.
 * - `listChanges`: see {@link listGitLabChanges}.
 */
export function createGitLabSourceControl(
  client: GitLabClient,
  options: GitLabSourceControlOptions,
): SourceControl {
  const { releaseBranch } = options;
  const invalidSha = (sha: string) =>
    errAsync(
      new ShipgateError(
        "invalid_input",
        `Expected a full 40-hex commit sha, got ${JSON.stringify(sha)}`,
        {
          field: "sha",
        },
      ),
    );

  return {
    name: "gitlab",
    getCommit(sha, { signal }) {
      if (typeof sha !== "string" || !SHA.test(sha)) return invalidSha(sha);
      return client.call(signal, "looking up a GitLab commit", async (): Promise<CommitLookup> => {
        const missing: CommitLookup = { sha, exists: false, releaseBranch, onReleaseBranch: false };
        try {
          parseVendor(
            commitSchema,
            await client.api.commits.show(client.project, sha),
            `GET commits/${sha}`,
          );
        } catch (thrown) {
          if (isGitLabNotFound(thrown, /commit/i)) return missing;
          throw thrown;
        }
        try {
          const base = parseVendor(
            commitSchema,
            await client.api.repositories.mergeBase(client.project, [sha, releaseBranch]),
            `GET repository/merge_base`,
          );
          return {
            sha,
            exists: true,
            releaseBranch,
            onReleaseBranch: base.id.toLowerCase() === sha.toLowerCase(),
          };
        } catch (thrown) {
          // Unrelated histories: GitLab finds no merge base at all.
          if (isGitLabNotFound(thrown, /merge base/i)) return { ...missing, exists: true };
          if (
            ShipgateError.isInstance(thrown) &&
            thrown.kind === "bad_query" &&
            /could not find/i.test(thrown.vendorMessage ?? "")
          ) {
            throw new ShipgateError(
              "not_found",
              `Release branch ${releaseBranch} does not exist in project ${client.project}`,
              {
                field: "with.release_branch",
                ...(thrown.request ? { request: thrown.request } : {}),
                ...(thrown.vendorMessage ? { vendorMessage: thrown.vendorMessage } : {}),
                hint: "Set release_branch to the branch releases are cut from",
                cause: thrown,
              },
            );
          }
          throw thrown;
        }
      });
    },

    getTag(name, { signal }) {
      if (typeof name !== "string" || name.length === 0) {
        return errAsync(
          new ShipgateError("invalid_input", "A tag name must be a non-empty string", {
            field: "name",
          }),
        );
      }
      return client.call(signal, "reading a GitLab tag", async () => {
        try {
          return toTagInfo(
            await client.api.tags.show(client.project, name),
            `GET repository/tags/${name}`,
          );
        } catch (thrown) {
          if (isGitLabNotFound(thrown, /tag/i)) return null;
          throw thrown;
        }
      });
    },

    createAnnotatedTag({ name, sha, message }, { signal }) {
      if (typeof sha !== "string" || !SHA.test(sha)) return invalidSha(sha);
      if (typeof name !== "string" || name.length === 0) {
        return errAsync(
          new ShipgateError("invalid_input", "A tag name must be a non-empty string", {
            field: "name",
          }),
        );
      }
      // GitLab makes a lightweight tag when the message is empty; an annotated one needs words.
      if (typeof message !== "string" || message.trim().length === 0) {
        return errAsync(
          new ShipgateError("invalid_input", "An annotated tag needs a non-empty message", {
            field: "message",
          }),
        );
      }
      return client.call(signal, "creating a GitLab tag", async () => {
        try {
          const raw = await client.api.tags.create(client.project, name, sha, { message });
          // The project is the checkout's origin: the tag is published already.
          return { ...toTagInfo(raw, "POST repository/tags"), pushedTo: "origin" };
        } catch (thrown) {
          if (!ShipgateError.isInstance(thrown)) throw thrown;
          // GitLab ≥ 16 answers 409; older versions 400 "Tag v1 already exists".
          const exists =
            thrown.kind === "conflict" ||
            (thrown.kind === "bad_query" && /already exists/i.test(thrown.vendorMessage ?? ""));
          if (!exists) throw thrown;
          throw new ShipgateError(
            "conflict",
            `Tag ${name} already exists in project ${client.project}`,
            {
              ...(thrown.request ? { request: thrown.request } : {}),
              ...(thrown.status ? { status: thrown.status } : {}),
              ...(thrown.vendorMessage ? { vendorMessage: thrown.vendorMessage } : {}),
              cause: thrown,
            },
          );
        }
      });
    },

    listChanges(range, { signal }) {
      if (typeof range?.toSha !== "string" || !SHA.test(range.toSha))
        return invalidSha(range?.toSha);
      return client.call(signal, "listing GitLab merge requests", () =>
        listGitLabChanges(client, { ...options, fromTag: range.fromTag, toSha: range.toSha }),
      );
    },
  };
}
