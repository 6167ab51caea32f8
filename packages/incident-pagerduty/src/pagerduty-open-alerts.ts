import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * A small JSON file remembering which alerts this sink triggered and has not resolved, per
 * service and environment (default `devops/status/pagerduty-open.json`). It lets
 * `resolveOpen` resolve alerts whose dedup key is per release; the deterministic
 * `shipgate/<service>/<environment>` key needs no state and is resolved regardless.
 */
export interface OpenAlert {
  service: string;
  environment: string;
  dedup_key: string;
  version: string;
  opened_at: string;
}

interface OpenAlertsFile {
  version: 1;
  open: OpenAlert[];
}

/** Reads the open alerts; a missing or unreadable file counts as none. */
export async function readOpenAlerts(path: string): Promise<OpenAlert[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return [];
  }
  try {
    const parsed = JSON.parse(text) as Partial<OpenAlertsFile>;
    return Array.isArray(parsed.open) ? parsed.open.filter(isOpenAlert) : [];
  } catch {
    return [];
  }
}

/** Adds (or refreshes) one open alert. */
export async function rememberOpenAlert(path: string, alert: OpenAlert): Promise<void> {
  const open = (await readOpenAlerts(path)).filter(
    (a) =>
      !(
        a.dedup_key === alert.dedup_key &&
        a.service === alert.service &&
        a.environment === alert.environment
      ),
  );
  open.push(alert);
  await writeOpenAlerts(path, open);
}

/** Forgets the given dedup keys for a service and environment. */
export async function forgetOpenAlerts(
  path: string,
  scope: { service: string; environment: string },
  dedupKeys: ReadonlySet<string>,
): Promise<void> {
  const open = await readOpenAlerts(path);
  const kept = open.filter(
    (a) =>
      !(
        a.service === scope.service &&
        a.environment === scope.environment &&
        dedupKeys.has(a.dedup_key)
      ),
  );
  if (kept.length !== open.length) await writeOpenAlerts(path, kept);
}

async function writeOpenAlerts(path: string, open: OpenAlert[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const body: OpenAlertsFile = { version: 1, open };
  // Write then rename, so a reader never sees half a file.
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, "utf8");
  await rename(temporary, path);
}

function isOpenAlert(value: unknown): value is OpenAlert {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.service === "string" &&
    typeof v.environment === "string" &&
    typeof v.dedup_key === "string"
  );
}
