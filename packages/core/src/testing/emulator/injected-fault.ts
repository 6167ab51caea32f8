/**
 * What an injected fault answers instead of the emulated service:
 * - `status`: that status, with the vendor's error body unless `body` is given;
 * - `hangMs`: nothing until the delay passes (then a 504) or the client gives up;
 * - `delayMs`: the normal answer, late;
 * - `destroy`: the connection is reset without an answer;
 * - `rawBody`: this text verbatim (a truncated or non-JSON body);
 * - `extraHeaders`: the normal answer with these headers added (e.g. Retry-After on a 200).
 */
export type InjectedFaultAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | { hangMs: number }
  | { delayMs: number }
  | { destroy: true }
  | { rawBody: string; status?: number; contentType?: string }
  | { extraHeaders: Record<string, string> };

/** A failure injected into the next `times` requests whose method and target match. */
export interface InjectedFault {
  /** Only this method (any when omitted). */
  method?: string;
  /** Matched against the request target: path and query as received. */
  path: RegExp;
  /** How many matching requests get it. Default 1. */
  times?: number;
  respond: InjectedFaultAnswer;
}

/** Faults waiting for their requests, first added first served. */
export interface FaultQueue {
  add(fault: InjectedFault): void;
  /** The answer for this request, used up; undefined when no fault matches. */
  take(method: string, target: string): InjectedFaultAnswer | undefined;
  clear(): void;
  /** Faults not yet used up. */
  pending(): number;
}

/** Creates an empty {@link FaultQueue}. */
export function createFaultQueue(): FaultQueue {
  let faults: (InjectedFault & { left: number })[] = [];
  return {
    add(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    take(method, target) {
      const fault = faults.find(
        (f) =>
          f.left > 0 &&
          (!f.method || f.method.toUpperCase() === method.toUpperCase()) &&
          f.path.test(target),
      );
      if (!fault) return undefined;
      fault.left -= 1;
      return fault.respond;
    },
    clear() {
      faults = [];
    },
    pending: () => faults.filter((f) => f.left > 0).length,
  };
}
