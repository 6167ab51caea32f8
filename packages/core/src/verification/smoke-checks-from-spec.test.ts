import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import type { Clock } from "../contracts/clock.js";
import { abortedError } from "../errors/shipgate-error.js";
import { smokeCheckSpecSchema } from "../model/release-spec.js";
import { createSmokeChecks } from "./smoke-checks-from-spec.js";

const clock: Clock = {
  now: () => 0,
  sleep: (_ms, signal) => (signal.aborted ? errAsync(abortedError(signal)) : okAsync(undefined)),
};

describe("createSmokeChecks", () => {
  it("builds one check per spec, in order, of the declared type", async () => {
    const specs = [
      smokeCheckSpecSchema.parse({
        type: "http",
        name: "healthz",
        url: "http://service.invalid/healthz",
      }),
      smokeCheckSpecSchema.parse({
        type: "command",
        name: "cli",
        command: [process.execPath, "-e", "process.exit(0)"],
      }),
    ];
    const requested: string[] = [];
    const checks = createSmokeChecks(specs, {
      clock,
      fetch: async (input) => {
        requested.push(String(input));
        return new Response("ok");
      },
    });
    expect(checks.map((c) => c.name)).toEqual(["healthz", "cli"]);
    const context = {
      service: "s",
      environment: "e",
      version: "v1.0.0",
      phase: "after_last_step",
      weight: 100,
    } as const;
    const signal = new AbortController().signal;
    const [http, command] = await Promise.all(checks.map((c) => c.run(context, { signal })));
    expect(http!._unsafeUnwrap().detail).toMatch(
      /^GET http:\/\/service\.invalid\/healthz → 200 in \d+ ms$/,
    );
    expect(command!._unsafeUnwrap().detail).toMatch(/^node exited 0/);
    expect(requested).toEqual(["http://service.invalid/healthz"]);
  });
});
