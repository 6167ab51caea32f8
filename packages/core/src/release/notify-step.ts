import { err } from "neverthrow";
import { dashboardLinks } from "../artifacts/dashboard-links.js";
import type { Notification, NotificationKind, Notifier } from "../contracts/notifier.js";
import { toShipgateError } from "../errors/shipgate-error.js";
import { fenced, type RunContext } from "./run-context.js";

/** Best effort: failures are recorded as warnings and events, never change the outcome. */
export async function notify(
  ctx: RunContext,
  kind: NotificationKind,
  summary: string,
  extra: Partial<Notification> = {},
): Promise<void> {
  if (fenced(ctx)) return; // taken over: the new holder tells
  for (const notifier of ctx.stack.notifiers ?? []) {
    let sent: Awaited<ReturnType<Notifier["notify"]>>;
    try {
      sent = await notifier.notify(
        {
          kind,
          service: ctx.spec.service,
          environment: ctx.spec.environment,
          version: ctx.spec.version,
          sha: ctx.spec.sha,
          summary,
          body: extra.body ?? summary,
          dashboards: dashboardLinks(ctx.spec.dashboards).map((d) => d.url),
          dashboardLinks: dashboardLinks(ctx.spec.dashboards),
          ...extra,
        },
        { signal: ctx.cleanupSignal },
      );
    } catch (thrown) {
      sent = err(toShipgateError(thrown, `notifier ${notifier.name} threw`));
    }
    if (sent.isErr()) {
      ctx.record.warnings.push(
        `notification ${kind} via ${notifier.name} failed: ${sent.error.describe()}`,
      );
      ctx.emit({ type: "notify.failed", notifier: notifier.name, error: sent.error.describe() });
    }
  }
}
