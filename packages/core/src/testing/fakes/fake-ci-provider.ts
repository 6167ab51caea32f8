import type { CiCheck, CiCheckConclusion, CiProvider } from "../../contracts/ci-provider.js";
import type { Clock } from "../../contracts/clock.js";
import { guarded } from "./guard.js";

/** A check as written in a scenario: it may complete after some minutes of (virtual) time. */
export interface FakeCheck {
  name: string;
  conclusion: CiCheckConclusion;
  status?: "queued" | "in_progress" | "completed";
  /** Still running until this many minutes after the provider was created. */
  completeAfterMinutes?: number;
  required?: boolean;
}

/** A {@link CiProvider} over plain data: `checks` by sha, or the same checks for every sha but `unknownShas`. */
export function createFakeCiProvider(options: {
  clock: Clock;
  checks: FakeCheck[] | Record<string, FakeCheck[]>;
  unknownShas?: string[];
}): CiProvider {
  const createdAt = options.clock.now();
  const unknown = new Set(options.unknownShas ?? []);
  const toCheck = (c: FakeCheck): CiCheck => {
    const doneAt = createdAt + (c.completeAfterMinutes ?? 0) * 60_000;
    const running =
      (c.status && c.status !== "completed" && c.completeAfterMinutes === undefined) ||
      options.clock.now() < doneAt;
    return {
      name: c.name,
      status: running ? (c.status === "queued" ? "queued" : "in_progress") : "completed",
      conclusion: running ? null : c.conclusion,
      url: `https://ci.example.com/checks/${encodeURIComponent(c.name)}`,
      startedAt: new Date(createdAt).toISOString(),
      completedAt: running ? null : new Date(doneAt).toISOString(),
      required: c.required,
    };
  };
  return {
    name: "fake-ci",
    listChecks(sha, { signal }) {
      return guarded(signal, () => {
        if (unknown.has(sha)) return [];
        const list = Array.isArray(options.checks) ? options.checks : (options.checks[sha] ?? []);
        return list.map(toCheck);
      });
    },
  };
}
