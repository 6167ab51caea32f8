import { describe, expect, it } from "vitest";
import { currentApprovals } from "./github-approval-gate.js";

const review = (author: string, state: string, minute: number) => ({
  author,
  state,
  submittedAt: `2026-01-01T00:${String(minute).padStart(2, "0")}:00Z`,
  url: `https://github.example/pull/1#pullrequestreview-${minute}`,
  body: "",
});

describe("currentApprovals", () => {
  it("keeps each reviewer's latest opinion: changes requested or dismissal withdraws, comments do not", () => {
    const signOffs = currentApprovals([
      review("alice", "APPROVED", 1),
      review("bob", "APPROVED", 2),
      review("bob", "CHANGES_REQUESTED", 3),
      review("carol", "APPROVED", 4),
      review("carol", "COMMENTED", 5),
      review("dave", "APPROVED", 6),
      review("dave", "DISMISSED", 7),
      review("alice", "APPROVED", 8),
    ]);
    expect(signOffs).toEqual([
      {
        approver: "alice",
        signedAt: "2026-01-01T00:08:00Z",
        where: "https://github.example/pull/1#pullrequestreview-8",
      },
      {
        approver: "carol",
        signedAt: "2026-01-01T00:04:00Z",
        where: "https://github.example/pull/1#pullrequestreview-4",
      },
    ]);
  });
});
