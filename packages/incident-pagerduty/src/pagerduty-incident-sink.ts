import {
  abortedError,
  type IncidentRef,
  type IncidentSink,
  type ShipgateError,
  toShipgateError,
} from "@shipgate/core";
import { err, ok, ResultAsync } from "neverthrow";
import {
  buildResolveEvent,
  buildTriggerEvent,
  type PagerDutyEventOptions,
  serviceDedupKey,
} from "./pagerduty-event.js";
import {
  createPagerDutyEventsClient,
  type PagerDutyEventsClientOptions,
} from "./pagerduty-events-client.js";
import { forgetOpenAlerts, readOpenAlerts, rememberOpenAlert } from "./pagerduty-open-alerts.js";

/** Options for {@link createPagerDutyIncidentSink}. */
export interface PagerDutyIncidentSinkOptions
  extends PagerDutyEventsClientOptions,
    PagerDutyEventOptions {
  /** The Events API v2 integration key (32 characters). A secret: never logged. */
  routingKey: string;
  /**
   * Absolute path of the open-alerts file, or `null` to keep no state (then `resolveOpen`
   * only resolves the deterministic `shipgate/<service>/<environment>` key).
   */
  stateFile?: string | null;
  /**
   * Link returned as the incident's `url` (the Events API answers no incident URL). Default:
   * the incidents page of the PagerDuty web app matching `baseUrl`
   * (`https://app.pagerduty.com/incidents`, or `app.eu.…` for the EU service region).
   */
  incidentsUrl?: string;
}

/**
 * An {@link IncidentSink} that pages through PagerDuty's Events API v2.
 *
 * `open` triggers an alert with `dedup_key` = the incident's `dedupKey` (core makes it
 * `shipgate/<service>/<environment>`, so a second breach updates the alert already open).
 * `resolveOpen` sends `resolve` for every key this sink remembers as open for the service
 * and environment, plus the deterministic key — PagerDuty drops a resolve for an alert that
 * is not open, so this is safe and needs no state in the common case.
 *
 * @example
 * ```ts
 * const sink = createPagerDutyIncidentSink({ routingKey: process.env.PAGERDUTY_ROUTING_KEY!, stateFile: null });
 * const ref = await sink.open(incident, { signal });
 * ```
 */
export function createPagerDutyIncidentSink(options: PagerDutyIncidentSinkOptions): IncidentSink {
  const client = createPagerDutyEventsClient(options);
  const incidentsUrl =
    options.incidentsUrl ?? defaultIncidentsUrl(options.baseUrl ?? "https://events.pagerduty.com");
  const stateFile = options.stateFile ?? null;
  const ref = (dedupKey: string): IncidentRef => ({
    sink: "pagerduty",
    id: dedupKey,
    url: incidentsUrl,
  });

  return {
    name: "pagerduty",
    open(incident, { signal }) {
      if (signal.aborted) return new ResultAsync(Promise.resolve(err(abortedError(signal))));
      const event = buildTriggerEvent(incident, options.routingKey, options);
      return client.send(event, { signal }).andThen((accepted) =>
        ResultAsync.fromSafePromise(
          (async () => {
            if (stateFile) {
              // Best effort: the page went out; failing to remember it only means a later
              // resolve falls back to the deterministic key.
              await rememberOpenAlert(stateFile, {
                service: incident.service,
                environment: incident.environment,
                dedup_key: accepted.dedupKey,
                version: incident.version,
                opened_at: incident.openedAt,
              }).catch(() => undefined);
            }
            return ref(accepted.dedupKey);
          })(),
        ),
      );
    },

    resolveOpen(scope, { signal }) {
      if (signal.aborted) return new ResultAsync(Promise.resolve(err(abortedError(signal))));
      const run = async () => {
        const remembered = stateFile
          ? (await readOpenAlerts(stateFile)).filter(
              (a) => a.service === scope.service && a.environment === scope.environment,
            )
          : [];
        const knownOpen = new Set(remembered.map((a) => a.dedup_key));
        const keys = [
          ...new Set([...knownOpen, serviceDedupKey(scope.service, scope.environment)]),
        ];
        const resolved: IncidentRef[] = [];
        const done = new Set<string>();
        let failure: ShipgateError | undefined;
        for (const key of keys) {
          const sent = await client.send(buildResolveEvent(key, options.routingKey), { signal });
          if (sent.isErr()) {
            failure = sent.error;
            break;
          }
          done.add(key);
          // Only report what we know was open; the deterministic key is resolved blind.
          if (knownOpen.has(key)) resolved.push(ref(key));
        }
        if (stateFile && done.size > 0)
          await forgetOpenAlerts(stateFile, scope, done).catch(() => undefined);
        return failure ? err(failure) : ok(resolved);
      };
      return new ResultAsync(
        run().catch((cause: unknown) =>
          err(toShipgateError(cause, "Resolving PagerDuty alerts failed")),
        ),
      );
    },
  };
}

/** The PagerDuty web app's incidents page for the service region of `baseUrl`. */
export function defaultIncidentsUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl);
    if (url.hostname.startsWith("events."))
      url.hostname = `app.${url.hostname.slice("events.".length)}`;
    return `${url.origin}/incidents`;
  } catch {
    return "https://app.pagerduty.com/incidents";
  }
}
