import { err } from "neverthrow";
import type { LockHolder, ReleaseLock } from "../contracts/release-lock.js";
import { toShipgateError } from "../errors/shipgate-error.js";

/**
 * Takes `lock` for `service` on behalf of `holder`. A lock that throws instead of
 * answering with an error value counts as a tool error, so callers see one Result.
 */
export async function takeLock(
  lock: ReleaseLock,
  service: string,
  holder: LockHolder,
  signal: AbortSignal,
): Promise<Awaited<ReturnType<ReleaseLock["acquire"]>>> {
  try {
    return await lock.acquire({ service, holder }, { signal });
  } catch (thrown) {
    return err(toShipgateError(thrown, `lock ${lock.name} threw`));
  }
}
