import type { Notification, Notifier } from "../../contracts/notifier.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { guarded } from "./guard.js";

/** A {@link Notifier} that records messages (or fails, to prove notifications are best effort). */
export function createMemoryNotifier(
  options: { fail?: boolean } = {},
): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return {
    name: "memory-notifier",
    sent,
    notify(notification, { signal }) {
      return guarded(signal, () => {
        if (options.fail) return new ShipgateError("unavailable", "chat is down");
        sent.push(notification);
        return undefined;
      });
    },
  };
}
