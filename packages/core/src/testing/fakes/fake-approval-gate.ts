import type { ApprovalGate, SignOff } from "../../contracts/approval-gate.js";
import type { Clock } from "../../contracts/clock.js";
import { guarded } from "./guard.js";

/** A sign-off in a scenario: given at once, or after some minutes of (virtual) time. */
export interface FakeSignOff {
  approver: string;
  after_minutes?: number;
  where?: string;
}

/** An {@link ApprovalGate} over plain data. */
export function createFakeApprovalGate(signOffs: FakeSignOff[], clock: Clock): ApprovalGate {
  const createdAt = clock.now();
  return {
    name: "fake-approvals",
    listSignOffs(_request, { signal }) {
      return guarded(signal, () =>
        signOffs
          .filter((s) => clock.now() >= createdAt + (s.after_minutes ?? 0) * 60_000)
          .map<SignOff>((s) => ({
            approver: s.approver,
            signedAt: new Date(createdAt + (s.after_minutes ?? 0) * 60_000).toISOString(),
            where: s.where ?? "https://approvals.example.com",
          })),
      );
    },
  };
}
