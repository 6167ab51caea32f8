import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/** Anything a test starts and must stop: an emulator, a server. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Wraps `start` so that whatever a test starts with it is closed after that test.
 * Call at the top of a test file (it registers an `afterEach`).
 *
 * @example
 * ```ts
 * const start = startedPerTest(startGitLabEmulator);
 * it("…", async () => { const gitlab = await start({ pagination: "keyset" }); … });
 * ```
 */
export function startedPerTest<Args extends unknown[], T extends Closable>(
  start: (...args: Args) => Promise<T>,
): (...args: Args) => Promise<T> {
  let started: T[] = [];
  afterEach(async () => {
    const closing = started;
    started = [];
    await Promise.all(closing.map((s) => s.close()));
  });
  return async (...args) => {
    const s = await start(...args);
    started.push(s);
    return s;
  };
}

/**
 * One emulator for the whole test file (or `describe` block): started before the first
 * test, `reset()` before each, closed after the last. The returned object stands for it
 * (a proxy), so tests use it as if they had started it themselves.
 *
 * @example
 * ```ts
 * const slack = sharedPerFile(startSlackEmulator);
 * it("…", async () => { await notify(slack.webhookUrl); expect(slack.messages).toHaveLength(1); });
 * ```
 */
export function sharedPerFile<T extends Closable & { reset?: () => void }>(
  start: () => Promise<T>,
): T {
  let shared: T | undefined;
  beforeAll(async () => {
    shared = await start();
  });
  afterAll(async () => {
    await shared?.close();
  });
  beforeEach(() => shared?.reset?.());
  return new Proxy({} as T, {
    get(_target, property) {
      if (!shared) throw new Error("sharedPerFile: used before the emulator started");
      const value = Reflect.get(shared, property, shared);
      return typeof value === "function" ? value.bind(shared) : value;
    },
  });
}

/**
 * The URL of an emulator started and closed again: nothing listens there any more, so a
 * client pointed at it meets a refused connection.
 *
 * @example
 * ```ts
 * const e = await measureErr(source({ baseUrl: await stoppedEmulatorUrl(startDatadogEmulator) }));
 * expect(e.kind).toBe("unavailable");
 * ```
 */
export async function stoppedEmulatorUrl(
  start: () => Promise<Closable & { readonly url: string }>,
): Promise<string> {
  const emulator = await start();
  await emulator.close();
  return emulator.url;
}
