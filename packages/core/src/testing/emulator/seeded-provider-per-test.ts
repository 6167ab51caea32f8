import { type Closable, startedPerTest } from "../emulator-lifecycle.js";

/** An emulator that logs the requests it answers and can forget them. */
export interface RequestLoggingEmulator extends Closable {
  resetLog(): void;
}

/** What a test gets from {@link seededProviderPerTest}: its own seeded emulator and a provider over it. */
export interface SeededProviderUnderTest<Emulator, Scenario, Provider> {
  emulator: Emulator;
  /** The facts of the seeded scenario. */
  s: Scenario;
  provider: Provider;
}

/** Options of {@link seededProviderPerTest}. */
export interface SeededProviderPerTestOptions<Scenario, Provider> {
  /**
   * Called once the provider exists, before the request log is forgotten: lookups a client
   * makes once (locations, repository ids), so that tests count only their own requests. What
   * it returns is awaited (a promise or a `ResultAsync`).
   */
  warm?: (provider: Provider, s: Scenario) => unknown;
}

/**
 * Gives each test a fresh emulator from `start`, seeded and with a provider over it by
 * `seeded` (given the test's `extra` options), warmed up if asked, with an empty request
 * log; the emulator is closed after the test. Call at the top of a test file (it registers
 * an `afterEach`).
 *
 * @example
 * ```ts
 * const setup = seededProviderPerTest(startGitLabEmulator, seededGitLabProvider);
 * it("…", async () => {
 *   const { emulator: gitlab, s, provider } = await setup({ releaseBranch: "main" });
 *   …
 * });
 * ```
 */
export function seededProviderPerTest<
  Emulator extends RequestLoggingEmulator,
  Scenario,
  Options,
  Provider,
>(
  start: () => Promise<Emulator>,
  seeded: (emulator: Emulator, extra: Partial<Options>) => { s: Scenario; provider: Provider },
  options: SeededProviderPerTestOptions<NoInfer<Scenario>, NoInfer<Provider>> = {},
): (extra?: Partial<Options>) => Promise<SeededProviderUnderTest<Emulator, Scenario, Provider>> {
  const startEmulator = startedPerTest(start);
  return async (extra = {}) => {
    const emulator = await startEmulator();
    const { s, provider } = seeded(emulator, extra);
    await options.warm?.(provider, s);
    emulator.resetLog();
    return { emulator, s, provider };
  };
}
