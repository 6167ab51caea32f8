import { resolve } from "node:path";
import { defineProvider, envVarNameSchema, type IncidentSink, readSecret } from "@shipgate/core";
import { z } from "zod";
import {
  createPagerDutyIncidentSink,
  type PagerDutyIncidentSinkOptions,
} from "./pagerduty-incident-sink.js";

/**
 * The `with:` block of `use: "@shipgate/incident-pagerduty"`. The routing key is a secret
 * and is given by environment-variable NAME only.
 */
export const pagerDutyOptionsSchema = z.strictObject({
  /** Env var holding the Events API v2 integration key (32 characters). */
  routing_key_env: envVarNameSchema.default("PAGERDUTY_ROUTING_KEY"),
  /** Events API host; `https://events.eu.pagerduty.com` for the EU service region. */
  base_url: z.url({ protocol: /^https?$/ }).default("https://events.pagerduty.com"),
  /** `payload.source`. Default `<service>.<environment>`. */
  source: z.string().trim().min(1).optional(),
  /** `payload.component`. Default the service. */
  component: z.string().trim().min(1).optional(),
  /** `payload.group`. Default the environment. */
  group: z.string().trim().min(1).optional(),
  /** Open-alerts file, relative to the working directory; `null` keeps no state. */
  state_file: z.string().trim().min(1).nullable().default("devops/status/pagerduty-open.json"),
  /** Base URL the report path is resolved against for a link on the alert (e.g. the repo's blob URL). */
  report_base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Link returned for the incident. Default the PagerDuty web app's incidents page. */
  incidents_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Timeout of one attempt. */
  timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  /** Retries after the first attempt for 429, 5xx, network errors and timeouts. */
  max_retries: z.number().int().min(0).max(10).default(3),
});

/** Parsed {@link pagerDutyOptionsSchema}. */
export type PagerDutyProviderOptions = z.output<typeof pagerDutyOptionsSchema>;

/**
 * The provider the CLI loads for `use: "@shipgate/incident-pagerduty"`.
 *
 * ```yaml
 * incidents:
 *   - use: "@shipgate/incident-pagerduty"
 *     with: { routing_key_env: PAGERDUTY_ROUTING_KEY, component: checkout }
 * ```
 */
export const shipgateProvider = defineProvider({
  name: "@shipgate/incident-pagerduty",
  optionsSchema: pagerDutyOptionsSchema,
  create(options, context) {
    return readSecret(context, options.routing_key_env, "with.routing_key_env").map(
      (routingKey) => ({
        incidents: createPagerDutyIncidentSink({
          routingKey,
          baseUrl: options.base_url,
          source: options.source,
          component: options.component,
          group: options.group,
          stateFile: options.state_file === null ? null : resolve(context.cwd, options.state_file),
          reportBaseUrl: options.report_base_url,
          incidentsUrl: options.incidents_url,
          timeoutMs: options.timeout_ms,
          retry: { maxRetries: options.max_retries },
          secretName: options.routing_key_env,
        }),
      }),
    );
  },
});

/** Options for {@link createPagerDutyProvider}. */
export type CreatePagerDutyProviderOptions = PagerDutyIncidentSinkOptions;

/**
 * Builds the PagerDuty incident sink for programmatic use (secret passed directly).
 *
 * @example
 * ```ts
 * import { createPagerDutyProvider } from "@shipgate/incident-pagerduty";
 *
 * const { incidents } = createPagerDutyProvider({
 *   routingKey: process.env.PAGERDUTY_ROUTING_KEY!,
 *   baseUrl: "https://events.eu.pagerduty.com",
 *   stateFile: "/srv/shop/devops/status/pagerduty-open.json",
 * });
 * ```
 */
export function createPagerDutyProvider(options: CreatePagerDutyProviderOptions): {
  incidents: IncidentSink;
} {
  return { incidents: createPagerDutyIncidentSink(options) };
}
