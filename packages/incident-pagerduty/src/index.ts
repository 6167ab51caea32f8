export * from "./pagerduty-event.js";
export {
  createPagerDutyEventsClient,
  type PagerDutyAccepted,
  type PagerDutyEventsClient,
  type PagerDutyEventsClientOptions,
  type PagerDutyRetryOptions,
} from "./pagerduty-events-client.js";
export * from "./pagerduty-incident-sink.js";
export type { OpenAlert } from "./pagerduty-open-alerts.js";
export * from "./pagerduty-provider.js";
