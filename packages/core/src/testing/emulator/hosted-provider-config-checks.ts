import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiateProvider, type ShipgateProvider } from "../../provider.js";
import { expectApiTagSigningRefused, expectUnsetTokenRefused } from "./provider-refusals.js";

/** What {@link itRefusesSigningAndAMissingToken} builds a hosted CI provider from. */
export interface HostedProviderRefusalCase {
  /** The package's `shipgateProvider`. */
  provider: ShipgateProvider;
  /** The forge as the signing refusal names it (`GitLab`, `Azure Repos`). */
  forge: string;
  /** A complete configuration with a `sign:` setting. */
  signed: Record<string, unknown>;
  /** A complete configuration, and the token variable it reads (not set in the test). */
  unsetToken: { config: Record<string, unknown>; variable: string };
}

/**
 * Registers the two refusals every hosted CI provider makes when built from configuration
 * with an empty environment: `sign:` (tags created through an API cannot be signed), and
 * an unset token variable, both as values rather than thrown.
 *
 * @example
 * ```ts
 * itRefusesSigningAndAMissingToken({
 *   provider: shipgateProvider,
 *   forge: "GitLab",
 *   signed: { project: "acme/shop", sign: "gpg" },
 *   unsetToken: { config: { project: "a/b", token_env: "MY_GL" }, variable: "MY_GL" },
 * });
 * ```
 */
export function itRefusesSigningAndAMissingToken(c: HostedProviderRefusalCase): void {
  const noEnvironment = { env: {}, cwd: "/" };

  it("refuses sign: the tags it creates through the API cannot be signed", () => {
    expectApiTagSigningRefused(instantiateProvider(c.provider, c.signed, noEnvironment), c.forge);
  });

  it("fails, without throwing, when the token variable is not set", () => {
    expectUnsetTokenRefused(
      instantiateProvider(c.provider, c.unsetToken.config, noEnvironment),
      c.unsetToken.variable,
    );
  });
}

/** A seeded emulator, and the configuration and environment that reach it. */
export interface ConfiguredEmulator {
  /** The provider's configuration (`with:`), naming the token variable. */
  config: Record<string, unknown>;
  /** The environment, with the token in the variable `config` names. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Registers a suite `title` that builds `provider` from configuration against an emulator
 * `start` seeds with the CI release scenario (see `releaseScenarioFacts`): all four parts
 * come out, and the source control reads the annotated tag `v1.0.0` with the token taken from
 * the variable the configuration names.
 */
export function describeHostedProviderFromConfig(
  title: string,
  provider: ShipgateProvider,
  start: () => Promise<ConfiguredEmulator>,
): void {
  describe(title, () => {
    let emulator: ConfiguredEmulator;
    beforeAll(async () => {
      emulator = await start();
    });
    afterAll(() => emulator.close());

    it("builds all four parts and reads the token from the named variable", async () => {
      const parts = instantiateProvider(provider, emulator.config, {
        env: emulator.env,
        cwd: "/",
      })._unsafeUnwrap();
      expect(Object.keys(parts).sort()).toEqual(["approvals", "ci", "incidents", "sourceControl"]);
      const tag = await parts.sourceControl!.getTag("v1.0.0", {
        signal: new AbortController().signal,
      });
      expect(tag._unsafeUnwrap()?.annotated).toBe(true);
    });
  });
}
