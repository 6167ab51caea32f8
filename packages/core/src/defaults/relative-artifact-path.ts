import { err, ok, type Result } from "neverthrow";
import { ShipgateError } from "../errors/shipgate-error.js";

/**
 * Checks an artifact path: relative, `/`-separated, staying under the store's root.
 * Rejects absolute paths (`/x`, `C:/x`), backslashes, `.` / `..` and empty segments, and
 * control characters, each as `invalid_input` on field `path`.
 *
 * @example
 * ```ts
 * checkArtifactPath("reports/release-v1.4.0.md"); // ok("reports/release-v1.4.0.md")
 * checkArtifactPath("../etc/passwd"); // err(invalid_input)
 * ```
 */
export function checkArtifactPath(path: string, field = "path"): Result<string, ShipgateError> {
  const reject = (why: string) =>
    err(
      new ShipgateError("invalid_input", `Invalid artifact path ${JSON.stringify(path)}: ${why}`, {
        field,
        hint: "Use a relative path with `/` separators, e.g. devops/reports/release-v1.4.0.md",
      }),
    );
  if (typeof path !== "string" || path.length === 0) return reject("it is empty");
  if (path.includes("\\")) return reject("backslashes are not allowed");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(path)) return reject("control characters are not allowed");
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return reject("it is absolute");
  for (const segment of path.split("/")) {
    if (segment.length === 0) return reject("it has an empty segment");
    if (segment === "..") return reject("it leaves the artifact root");
    if (segment === ".") return reject("`.` segments are not allowed");
  }
  return ok(path);
}
