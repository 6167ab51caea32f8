import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { instantiateProvider, type ProviderContext } from "@shipgate/core";
import { conformanceIncident, sharedPerFile } from "@shipgate/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPagerDutyProvider,
  pagerDutyOptionsSchema,
  shipgateProvider,
} from "./pagerduty-provider.js";
import { startPagerDutyEmulator } from "./testing/pagerduty-emulator.js";

const pd = sharedPerFile(startPagerDutyEmulator);
let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "shipgate-pd-provider-"));
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

const context = (env: Record<string, string>): ProviderContext => ({ env, cwd });
const signal = () => new AbortController().signal;

describe("shipgateProvider (@shipgate/incident-pagerduty)", () => {
  it("has the documented defaults", () => {
    expect(pagerDutyOptionsSchema.parse({})).toEqual({
      routing_key_env: "PAGERDUTY_ROUTING_KEY",
      base_url: "https://events.pagerduty.com",
      state_file: "devops/status/pagerduty-open.json",
      timeout_ms: 10_000,
      max_retries: 3,
    });
  });

  it("refuses unknown keys and an inline routing key, naming the field", () => {
    expect(
      instantiateProvider(shipgateProvider, { routing_key: "abc" }, context({}))._unsafeUnwrapErr()
        .kind,
    ).toBe("invalid_input");
    const inline = instantiateProvider(
      shipgateProvider,
      { routing_key_env: "R0123456789abcdef0123456789abcd" },
      context({}),
    );
    expect(inline._unsafeUnwrapErr()).toMatchObject({ kind: "invalid_input" });
    const url = instantiateProvider(
      shipgateProvider,
      { base_url: "events.pagerduty.com" },
      context({}),
    );
    expect(url._unsafeUnwrapErr()).toMatchObject({ kind: "invalid_input", field: "with.base_url" });
  });

  it("fails without throwing when the routing key variable is not set", () => {
    const error = instantiateProvider(shipgateProvider, {}, context({}))._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "invalid_input", field: "with.routing_key_env" });
    expect(error.message).toContain("PAGERDUTY_ROUTING_KEY");
  });

  it("builds a sink that pages PagerDuty and keeps state relative to cwd", async () => {
    const parts = instantiateProvider(
      shipgateProvider,
      { base_url: pd.url, component: "checkout", group: "web", source: "k8s/prod", max_retries: 0 },
      context({ PAGERDUTY_ROUTING_KEY: pd.routingKey }),
    )._unsafeUnwrap();
    expect(parts.incidents?.name).toBe("pagerduty");
    const ref = (
      await parts.incidents!.open(conformanceIncident, { signal: signal() })
    )._unsafeUnwrap();
    expect(ref.url).toBe(`${pd.url}/incidents`);
    expect(pd.alert(ref.id)?.triggers[0]).toMatchObject({
      payload: { component: "checkout", group: "web", source: "k8s/prod" },
    });
    const state = JSON.parse(
      await readFile(join(cwd, "devops/status/pagerduty-open.json"), "utf8"),
    );
    expect(state.open[0].dedup_key).toBe(ref.id);
  });
});

describe("createPagerDutyProvider", () => {
  it("builds the sink programmatically", async () => {
    const { incidents } = createPagerDutyProvider({
      routingKey: pd.routingKey,
      baseUrl: pd.url,
      stateFile: null,
    });
    expect((await incidents.open(conformanceIncident, { signal: signal() })).isOk()).toBe(true);
  });
});
