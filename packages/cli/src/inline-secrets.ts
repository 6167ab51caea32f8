import type { ConfigProblem } from "./config-problem.js";

/** Token formats a vendor prints, so a pasted credential is recognised wherever it sits. */
const TOKEN_FORMATS: readonly [RegExp, string][] = [
  [/^gh[pousr]_[A-Za-z0-9]{16,}/, "a GitHub token"],
  [/^github_pat_[A-Za-z0-9_]{20,}/, "a GitHub token"],
  [/^glpat-[A-Za-z0-9_-]{16,}/, "a GitLab token"],
  [/^gl(?:dt|rt|ptt|ft|cbt|oas|soat|imt|agent)-[A-Za-z0-9_-]{16,}/, "a GitLab token"],
  [/^xox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/^xapp-\d-[A-Za-z0-9-]{10,}/, "a Slack app token"],
  [
    /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]{10,}/,
    "a Slack webhook URL",
  ],
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/, "an AWS access key"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^AIza[0-9A-Za-z_-]{35}$/, "a Google API key"],
  [/^(?:sk|rk)_live_[0-9A-Za-z]{16,}/, "a Stripe key"],
  [/^npm_[A-Za-z0-9]{36}$/, "an npm token"],
  [/^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/, "a JSON web token"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, "a URL with a password"],
];

/** Last words of a key that name a credential (`token`, `api_key`, `client_secret`, `webhook_url`). */
const SECRET_WORDS = new Set([
  "token",
  "secret",
  "password",
  "passwd",
  "pwd",
  "apikey",
  "key",
  "credential",
  "credentials",
]);

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether a key names a secret itself (`token`, `api_key`, `webhookUrl`) rather than its env var. */
export function isSecretKey(key: string): boolean {
  const w = words(key);
  const last = w[w.length - 1];
  if (!last || last === "env") return false;
  if (SECRET_WORDS.has(last)) return true;
  return last === "url" && w[w.length - 2] === "webhook";
}

/** What a string looks like, if it looks like a known credential format. */
export function recogniseToken(value: string): string | null {
  for (const [pattern, what] of TOKEN_FORMATS) if (pattern.test(value)) return what;
  return null;
}

/** The env-var key to suggest for a secret key: `token` → `token_env`, `apiKey` → `apiKey_env`. */
const envKeyFor = (key: string) => (key.endsWith("_env") ? key : `${key}_env`);

/** A likely variable name for the hint: `GITHUB_TOKEN` for a GitHub token, else from the key. */
function suggestVar(key: string, what: string | null): string {
  if (what?.includes("GitHub")) return "GITHUB_TOKEN";
  if (what?.includes("GitLab")) return "GITLAB_TOKEN";
  if (what?.includes("Slack")) return "SLACK_TOKEN";
  if (what?.includes("AWS")) return "AWS_ACCESS_KEY_ID";
  return words(key.replace(/_env$/, "")).join("_").toUpperCase() || "SECRET";
}

/**
 * Finds secrets written into the config instead of named by environment variable: a key
 * that names a credential (`token`, `password`, `api_key`, `webhook_url`, …) holding a
 * literal, or any string that looks like a known token format (`ghp_…`, `glpat-…`,
 * `xoxb-…`, `AKIA…`, a private key). The value itself is never repeated in the problem.
 *
 * @example
 * ```ts
 * findInlineSecrets({ ci: { with: { token: "ghp_…" } } });
 * // [{ key: "ci.with.token", message: "holds an inline secret (a GitHub token)", hint: "…token_env: GITHUB_TOKEN…" }]
 * ```
 */
export function findInlineSecrets(data: unknown, prefix = ""): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const visit = (value: unknown, path: string, key: string | null) => {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, `${path}[${i}]`, key);
      return;
    }
    if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k, k);
      return;
    }
    const what = typeof value === "string" ? recogniseToken(value) : null;
    const literal = (typeof value === "string" && value.length > 0) || typeof value === "number";
    if (key !== null && literal && isSecretKey(key)) {
      const envKey = envKeyFor(key);
      problems.push({
        key: path,
        message: `holds an inline secret${what ? ` (${what})` : ""}; secrets are never written in the config`,
        hint: `write \`${envKey}: ${suggestVar(key, what)}\` (the NAME of an environment variable) and export that variable`,
      });
      return;
    }
    if (what) {
      const isEnvKey = key?.endsWith("_env") ?? false;
      problems.push({
        key: path,
        message: isEnvKey
          ? `holds what looks like ${what}, not the name of an environment variable`
          : `looks like ${what}; secrets are never written in the config`,
        hint: isEnvKey
          ? `write \`${key}: ${suggestVar(key ?? "", what)}\` and export that variable with the credential`
          : `move it to an environment variable and name it with a \`<key>_env: VAR\` option`,
      });
    }
  };
  visit(data, prefix, null);
  return problems;
}
