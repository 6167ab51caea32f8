import type {
  SmokeCheck,
  SmokeCheckContext,
  SmokeCheckPhase,
} from "../../contracts/smoke-check.js";
import { guarded } from "./guard.js";

/** A {@link SmokeCheck} that fails in the phases (or at the weights) it is told to. */
export function createFakeSmokeCheck(options: {
  name?: string;
  failIn?: SmokeCheckPhase[];
  failAtWeights?: number[];
}): SmokeCheck & { runs: SmokeCheckContext[] } {
  const runs: SmokeCheckContext[] = [];
  const name = options.name ?? "fake-smoke";
  return {
    name,
    runs,
    run(context, { signal }) {
      return guarded(signal, () => {
        runs.push(context);
        const fails =
          (options.failIn ?? []).includes(context.phase) ||
          (options.failAtWeights ?? []).includes(context.weight);
        return {
          name,
          passed: !fails,
          detail: fails ? `GET /healthz → 503 (${context.phase})` : "GET /healthz → 200",
          attempts: 1,
          durationMs: 3,
        };
      });
    },
  };
}
