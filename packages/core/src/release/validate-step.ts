import type { RunContext, Stop } from "./run-context.js";
import { stopForError } from "./run-context.js";

/**
 * Step 1: the sha exists and is on the release branch; the tag is unused, or (a retry of
 * the same release) already points at the same sha. A tag on another sha is an error.
 */
export async function validateRelease(ctx: RunContext): Promise<Stop | null> {
  const { spec, stack } = ctx;
  const opts = { signal: ctx.signal };
  const commit = await stack.sourceControl.getCommit(spec.sha, opts);
  if (commit.isErr()) return stopForError(ctx, "validate", commit.error);
  if (!commit.value.exists) {
    return {
      status: "FAILED",
      reason: "validation_failed",
      summary: `sha ${spec.sha} does not exist in the repository (field: sha)`,
    };
  }
  if (!commit.value.onReleaseBranch) {
    return {
      status: "FAILED",
      reason: "validation_failed",
      summary: `sha ${spec.sha} is not on the release branch ${commit.value.releaseBranch} (field: sha)`,
    };
  }
  const tag = await stack.sourceControl.getTag(spec.version, opts);
  if (tag.isErr()) return stopForError(ctx, "validate", tag.error);
  if (tag.value) {
    if (tag.value.sha !== spec.sha) {
      return {
        status: "FAILED",
        reason: "validation_failed",
        summary: `tag ${spec.version} already exists on ${tag.value.sha}, not on ${spec.sha} (field: version): pick a new version`,
      };
    }
    ctx.record.tag = { name: spec.version, sha: spec.sha, reused: true, created: false };
  }
  if (spec.previous_release_tag) {
    const previous = await stack.sourceControl.getTag(spec.previous_release_tag, opts);
    if (previous.isErr()) return stopForError(ctx, "validate", previous.error);
    if (!previous.value) {
      return {
        status: "FAILED",
        reason: "validation_failed",
        summary: `previous_release_tag ${spec.previous_release_tag} does not exist (field: previous_release_tag)`,
      };
    }
  }
  ctx.emit({ type: "validate.passed", tag: ctx.record.tag?.reused ? "reuse" : "new" });
  return null;
}
