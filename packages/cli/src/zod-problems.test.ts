import { releaseSpecSchema } from "@shipgate/core";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { knownKeysAt, zodIssuesToProblems } from "./zod-problems.js";

describe("knownKeysAt", () => {
  it("walks through optionals, defaults, arrays and unions", () => {
    expect(knownKeysAt(releaseSpecSchema, ["slo"]).sort()).toEqual([
      "error_rate_max",
      "p95_latency_ms",
      "window_minutes",
    ]);
    expect(knownKeysAt(releaseSpecSchema, ["policy"])).toContain("poll_interval_seconds");
    expect(knownKeysAt(releaseSpecSchema, ["smoke_checks", 0])).toEqual(
      expect.arrayContaining(["url", "command", "timeout_ms"]),
    );
    expect(knownKeysAt(releaseSpecSchema, ["nope"])).toEqual([]);
  });
});

describe("zodIssuesToProblems", () => {
  it("names array items and keeps every issue", () => {
    const schema = z.strictObject({ items: z.array(z.strictObject({ n: z.number() })) });
    const input = { items: [{ n: "x" }, { m: 1, n: 2 }] };
    const result = schema.safeParse(input);
    if (result.success) throw new Error("should fail");
    const problems = zodIssuesToProblems(result.error.issues, { prefix: "with", schema, input });
    expect(problems.map((p) => p.key)).toEqual(["with.items[0].n", "with.items[1].m"]);
    expect(problems[1]!.message).toBe("unknown key");
    expect(problems[1]!.hint).toContain("known keys here: n");
  });
});
