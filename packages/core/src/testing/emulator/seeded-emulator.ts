import type { EmulatorServer } from "./emulator-server.js";

/**
 * The state a metrics-style emulator keeps beside its server: seeded data, scripted faults
 * answered in order by the next requests, and its own request and answer logs.
 */
export interface SeededEmulatorState<Seed, Fault, Request, Response> {
  readonly data: Seed[];
  readonly faults: Fault[];
  readonly requests: Request[];
  readonly responses: Response[];
}

/** The controls every seeded emulator offers tests, over its server and state. */
export interface SeededEmulatorControls<Seed, Fault, Request, Response> {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: Request[];
  readonly responses: Response[];
  /** Requests per route (the URL of a miss), in first-seen order. */
  countsByRoute(): Map<string, number>;
  /** Adds data the emulator answers from. */
  seed(...data: Seed[]): void;
  /** Forgets the seeded data. */
  clearData(): void;
  /** Queues faults, answered in order by the next requests. */
  failNext(...faults: Fault[]): void;
  /** Drops queued faults and the request and answer logs (not the data). */
  reset(): void;
  close(): Promise<void>;
}

/** Empty state for a seeded emulator. */
export function createSeededEmulatorState<Seed, Fault, Request, Response>(): SeededEmulatorState<
  Seed,
  Fault,
  Request,
  Response
> {
  return { data: [], faults: [], requests: [], responses: [] };
}

/** The controls of a seeded emulator whose server is running. */
export function seededEmulatorControls<Seed, Fault, Request, Response>(
  server: EmulatorServer,
  state: SeededEmulatorState<Seed, Fault, Request, Response>,
): SeededEmulatorControls<Seed, Fault, Request, Response> {
  return {
    url: server.url,
    requests: state.requests,
    responses: state.responses,
    countsByRoute: () => server.countsByRoute(),
    seed: (...data) => {
      state.data.push(...data);
    },
    clearData: () => {
      state.data.length = 0;
    },
    failNext: (...faults) => {
      state.faults.push(...faults);
    },
    reset: () => {
      state.faults.length = 0;
      state.requests.length = 0;
      state.responses.length = 0;
      server.resetLog();
    },
    close: () => server.close(),
  };
}
