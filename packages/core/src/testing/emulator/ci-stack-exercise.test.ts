import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { ShipgateError } from "../../errors/shipgate-error.js";
import { type ExercisedCiStack, exerciseCiStack } from "./ci-stack-exercise.js";
import { sampleReleaseScenario } from "./sample-release-scenario.js";

const s = sampleReleaseScenario;

function recordingStack(failing?: string): { stack: ExercisedCiStack; calls: string[] } {
  const calls: string[] = [];
  const answer = (name: string, arg: unknown) => {
    calls.push(`${name} ${JSON.stringify(arg)}`);
    return name === failing
      ? errAsync(new ShipgateError("unavailable", `${name} failed`))
      : okAsync(null as never);
  };
  const stack = {
    ci: { listChecks: (sha: string) => answer("listChecks", sha) },
    sourceControl: {
      getCommit: (sha: string) => answer("getCommit", sha),
      getTag: (name: string) => answer("getTag", name),
      createAnnotatedTag: (tag: { name: string }) => answer("createAnnotatedTag", tag.name),
      listChanges: (range: unknown) => answer("listChanges", range),
    },
    approvals: { listSignOffs: (request: { sha: string }) => answer("listSignOffs", request.sha) },
    incidents: {
      open: (incident: { service: string }) => answer("open", incident.service),
      resolveOpen: (scope: { environment: string }) => answer("resolveOpen", scope.environment),
    },
  } as unknown as ExercisedCiStack;
  return { stack, calls };
}

describe("exerciseCiStack", () => {
  it("calls every part once against the scenario, then the test's own calls", async () => {
    const { stack, calls } = recordingStack();
    await exerciseCiStack(stack, s, [
      () => stack.sourceControl.getTag("v0", { signal: new AbortController().signal }),
    ]);
    expect(calls).toEqual([
      `listChecks "${s.greenSha}"`,
      `getCommit "${s.toSha}"`,
      'getTag "v1.0.0"',
      'createAnnotatedTag "v1.1.0"',
      `listChanges {"fromTag":"v1.0.0","toSha":"${s.toSha}"}`,
      `listSignOffs "${s.toSha}"`,
      'open "shop"',
      'resolveOpen "production"',
      'getTag "v0"',
    ]);
  });

  it("fails on the first error, naming it", async () => {
    const { stack, calls } = recordingStack("getTag");
    await expect(exerciseCiStack(stack, s)).rejects.toThrow("unavailable: getTag failed");
    expect(calls).toHaveLength(3);
  });
});
