import type { ReleaseStack } from "./release-stack.js";

/** CI variables naming who started the job, in the order they are consulted. */
export const CAPTAIN_ENV_VARS = [
  "GITHUB_ACTOR",
  "GITLAB_USER_LOGIN",
  "BUILD_REQUESTEDFOR",
] as const;

/**
 * The release captain: who ran the release. The release's own `captain` wins; then the CI
 * actor (`GITHUB_ACTOR` on GitHub Actions, `GITLAB_USER_LOGIN` on GitLab CI,
 * `BUILD_REQUESTEDFOR` on Azure Pipelines); then git's `user.name`; else null.
 */
export function resolveCaptain(
  fromSpec: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  gitUserName: string | null,
): string | null {
  if (fromSpec?.trim()) return fromSpec.trim();
  for (const name of CAPTAIN_ENV_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return gitUserName?.trim() || null;
}

/** {@link resolveCaptain} for a run: asks the source control for git's user only when needed. */
export async function findCaptain(
  fromSpec: string | undefined,
  stack: ReleaseStack,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<string | null> {
  const early = resolveCaptain(fromSpec, env, null);
  if (early || !stack.sourceControl.currentUser) return early;
  try {
    const user = await stack.sourceControl.currentUser({ signal });
    return resolveCaptain(undefined, {}, user.isOk() ? user.value : null);
  } catch {
    return null;
  }
}
