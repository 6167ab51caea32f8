import type { ChangeRecord, SourceControl } from "../../contracts/source-control.js";
import { type BenchmarkedEmulator, measureEmulatorWork } from "./timed-checks.js";

/**
 * What a change-listing benchmark measures: the changes `sourceControl` lists from `fromTag`
 * to `toSha` (within a minute) over `emulator`, with the requests that took and their routes.
 * Throws the error when listing fails.
 */
export async function measureListChanges(
  emulator: BenchmarkedEmulator,
  sourceControl: Pick<SourceControl, "listChanges">,
  range: { fromTag: string; toSha: string },
): Promise<{ changes: ChangeRecord[]; ms: number; requests: number; routes: string }> {
  const { value, ms, requests, routes } = await measureEmulatorWork(
    emulator,
    async () => await sourceControl.listChanges(range, { signal: AbortSignal.timeout(60_000) }),
  );
  if (value.isErr()) throw value.error;
  return { changes: value.value, ms, requests, routes };
}
