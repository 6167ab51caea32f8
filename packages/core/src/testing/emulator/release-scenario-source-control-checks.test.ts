import { errAsync, okAsync } from "neverthrow";
import { describe } from "vitest";
import type { ChangeRecord, SourceControl, TagInfo } from "../../contracts/source-control.js";
import { ShipgateError } from "../../errors/shipgate-error.js";
import {
  itChecksReleaseScenarioSourceControl,
  itListsReleaseScenarioChanges,
} from "./release-scenario-source-control-checks.js";
import { sampleReleaseScenario } from "./sample-release-scenario.js";

const sha = (c: string) => c.repeat(40);
const s = sampleReleaseScenario;

const change = (number: number, fields: Partial<ChangeRecord>): ChangeRecord => ({
  number,
  title: "",
  url: `https://forge.example/changes/${number}`,
  author: "",
  reviewers: [],
  labels: [],
  mergedAt: `2026-01-0${number}T00:00:00Z`,
  mergeSha: sha(String(number)),
  files: [],
  ...fields,
});

const history = [
  change(1, { title: "chore: set up CI", author: "erin@x", reviewers: ["bob@x"] }),
  change(2, {
    title: "feat(api): add bulk export endpoint",
    author: "alice@x",
    reviewers: ["bob@x", "carol@x"],
    labels: ["enhancement"],
    files: ["src/api/export.ts", "src/db/query.ts"],
  }),
  change(3, {
    title: "fix(cart)!: change total rounding",
    author: "carol@x",
    reviewers: ["alice@x"],
    labels: ["bug", "breaking"],
    files: ["src/cart/total.ts"],
  }),
  change(4, { title: "docs: readme", author: "dave@x", files: ["README.md"] }),
];

/** A source control that answers like a forge seeded with the release scenario. */
function scenarioSourceControl(releaseBranch = "main"): SourceControl {
  const tags = new Map<string, TagInfo>([
    [
      "v1.0.0",
      { name: "v1.0.0", sha: s.previousTag.sha, annotated: true, message: "Release v1.0.0" },
    ],
    ["v1.0.0-light", { name: "v1.0.0-light", sha: s.previousTag.sha, annotated: false }],
  ]);
  const notFound = (message: string, field: string) =>
    errAsync(new ShipgateError("not_found", message, { field }));
  return {
    name: "scenario forge",
    getCommit: (commit) =>
      releaseBranch !== "main"
        ? notFound(`branch ${releaseBranch} does not exist`, "with.release_branch")
        : okAsync({
            sha: commit,
            exists: commit !== s.missingSha,
            releaseBranch,
            onReleaseBranch: commit === s.redSha || commit === s.toSha,
          }),
    getTag: (name) => okAsync(tags.get(name) ?? null),
    createAnnotatedTag: (tag) => {
      if (tags.has(tag.name))
        return errAsync(
          new ShipgateError("conflict", "tag exists", {
            status: 409,
            vendorMessage: `Tag ${tag.name} already exists`,
          }),
        );
      tags.set(tag.name, { name: tag.name, sha: tag.sha, annotated: true, message: tag.message });
      return okAsync({ ...tags.get(tag.name)!, pushedTo: "origin" });
    },
    listChanges: (range) =>
      range.fromTag === null
        ? okAsync(history)
        : tags.has(range.fromTag)
          ? okAsync(history.slice(1))
          : notFound(`tag ${range.fromTag} not found`, "fromTag"),
  };
}

describe("release-scenario source-control checks, against a forge that passes them", () => {
  itChecksReleaseScenarioSourceControl(async (options) => ({
    s,
    sourceControl: scenarioSourceControl(options?.releaseBranch),
  }));

  itListsReleaseScenarioChanges(async () => ({ s, sourceControl: scenarioSourceControl() }), {
    person: (name) => `${name}@x`,
    url: (_, number) => `https://forge.example/changes/${number}`,
  });
});
