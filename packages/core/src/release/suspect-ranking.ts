import type { SuspectChange } from "../contracts/incident-sink.js";
import type { ChangeRecord } from "../contracts/source-control.js";
import { classifyChange } from "../defaults/conventional-commit.js";

const NON_RUNTIME = [
  /\.(md|mdx|rst|txt|adoc)$/i,
  /^docs?\//i,
  /(^|\/)(test|tests|__tests__|spec)\//i,
  /\.(test|spec)\.[a-z]+$/i,
  /^\.github\//i,
  /(^|\/)(CHANGELOG|LICENSE|CODEOWNERS)/,
];
const CONFIG = [
  /(^|\/)(package\.json|go\.mod|go\.sum|Cargo\.toml|requirements.*\.txt|pom\.xml|Gemfile(\.lock)?|pnpm-lock\.yaml|package-lock\.json|yarn\.lock)$/,
  /\.(ya?ml|toml|ini|env|json)$/i,
];
const DATA = [/(^|\/)(migrations?|db|sql)\//i, /\.sql$/i];

function isRuntimeFile(path: string): boolean {
  return !NON_RUNTIME.some((re) => re.test(path));
}

/**
 * Ranks the changes of a failed release by how likely each is to have caused the breach,
 * and flags the most likely one. Pure and deterministic: the reason says exactly which
 * facts scored, so a person can disagree with it quickly.
 *
 * Scoring: runtime code touched +3, breaking change +3, feat +2, fix +1, dependency or
 * config change +2, data/migration change +2, size (+1 per 5 runtime files, at most +2);
 * docs-, tests- or CI-only changes score 0. Ties go to the change merged last.
 */
export function rankSuspects(changes: ChangeRecord[]): SuspectChange[] {
  const scored = changes.map((change, index) => {
    const c = classifyChange(change);
    const runtimeFiles = change.files.filter(isRuntimeFile);
    const reasons: string[] = [];
    let score = 0;
    const docsOnly = change.files.length > 0 && runtimeFiles.length === 0;
    if (!docsOnly) {
      if (runtimeFiles.length > 0 || change.files.length === 0) {
        score += 3;
        reasons.push(
          change.files.length === 0
            ? "files unknown"
            : `touches runtime code (${runtimeFiles.length} file${runtimeFiles.length === 1 ? "" : "s"})`,
        );
      }
      if (c.breaking) {
        score += 3;
        reasons.push("breaking change");
      }
      if (c.type === "feat") {
        score += 2;
        reasons.push("new feature");
      } else if (c.type === "fix") {
        score += 1;
        reasons.push("behaviour fix");
      }
      if (change.files.some((f) => CONFIG.some((re) => re.test(f)))) {
        score += 2;
        reasons.push("changes dependencies or config");
      }
      if (change.files.some((f) => DATA.some((re) => re.test(f)))) {
        score += 2;
        reasons.push("changes data access or migrations");
      }
      const size = Math.min(2, Math.floor(runtimeFiles.length / 5));
      if (size > 0) {
        score += size;
        reasons.push("large change");
      }
    } else {
      reasons.push("docs, tests or CI only");
    }
    return { change, score, index, reason: reasons.join(", ") };
  });
  const order = [...scored].sort(
    (a, b) =>
      b.score - a.score ||
      Date.parse(b.change.mergedAt) - Date.parse(a.change.mergedAt) ||
      b.index - a.index,
  );
  const culprit = order[0] && order[0].score > 0 ? order[0] : undefined;
  return order.map((s) => ({
    change: s.change,
    score: s.score,
    likelyCulprit: s === culprit,
    reason:
      s === culprit
        ? `${s.reason}; highest score${scored.filter((x) => x.score === s.score).length > 1 ? ", merged last among equals" : ""}`
        : s.reason,
  }));
}
