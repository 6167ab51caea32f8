import { err, ok, okAsync } from "neverthrow";
import { afterAll, describe, expect } from "vitest";
import { z } from "zod";
import { ShipgateError } from "../../errors/shipgate-error.js";
import type { ProviderParts } from "../../provider.js";
import { defineProvider } from "../../provider.js";
import {
  describeHostedProviderFromConfig,
  itRefusesSigningAndAMissingToken,
} from "./hosted-provider-config-checks.js";

// A hosted forge in miniature: it refuses `sign:`, reads its token from `token_env`, and
// answers every tag as annotated.
const forgeProvider = defineProvider({
  name: "@shipgate/forge-fake",
  optionsSchema: z
    .object({
      project: z.string(),
      token_env: z.string().default("FORGE_TOKEN"),
      sign: z.string().optional(),
    })
    .strict(),
  create(options, context) {
    if (options.sign)
      return err(
        new ShipgateError(
          "invalid_input",
          "Forge creates release tags through its API and cannot sign them: remove sign",
          { field: "with.sign" },
        ),
      );
    if (!context.env[options.token_env])
      return err(
        new ShipgateError("invalid_input", `${options.token_env} is not set`, {
          field: "with.token_env",
        }),
      );
    const tag = { name: "v1.0.0", sha: "a".repeat(40), annotated: true };
    const parts = {
      sourceControl: { getTag: () => okAsync(tag) },
      ci: {},
      approvals: {},
      incidents: {},
    } as unknown as ProviderParts;
    return ok(parts);
  },
});

describe("hosted provider configuration checks", () => {
  itRefusesSigningAndAMissingToken({
    provider: forgeProvider,
    forge: "Forge",
    signed: { project: "p", sign: "ssh" },
    unsetToken: { config: { project: "p" }, variable: "FORGE_TOKEN" },
  });

  let closed = 0;
  describeHostedProviderFromConfig("built from configuration", forgeProvider, async () => ({
    config: { project: "p", token_env: "FORGE_TEST_TOKEN" },
    env: { FORGE_TEST_TOKEN: "secret" },
    close: async () => {
      closed += 1;
    },
  }));

  afterAll(() => {
    expect(closed).toBe(1);
  });
});
