import { ShipgateError } from "../errors/shipgate-error.js";

/**
 * Maps a Node file-system error onto a {@link ShipgateError}, keeping the errno code as the
 * vendor message so a user can search for it. `path` is the relative path (never absolute,
 * so reports stay portable).
 */
export function fsError(error: unknown, action: string, path: string): ShipgateError {
  if (ShipgateError.isInstance(error)) return error;
  const code =
    typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const vendorMessage = code ?? message;
  switch (code) {
    case "EEXIST":
      return new ShipgateError("exists", `Cannot ${action} ${path}: it exists already`, {
        vendorMessage,
        cause: error,
      });
    case "ENOENT":
      return new ShipgateError("not_found", `Cannot ${action} ${path}: not found`, {
        vendorMessage,
        cause: error,
      });
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return new ShipgateError(
        "precondition_failed",
        `Cannot ${action} ${path}: permission denied (${code})`,
        {
          vendorMessage,
          hint: "Check that the artifact directory is writable by this user",
          cause: error,
        },
      );
    case "ENOSPC":
    case "EDQUOT":
    case "EMFILE":
    case "ENFILE":
    case "EBUSY":
    case "EAGAIN":
      return new ShipgateError("unavailable", `Cannot ${action} ${path}: ${code}`, {
        vendorMessage,
        cause: error,
      });
    case "ENOTDIR":
    case "EISDIR":
      return new ShipgateError(
        "precondition_failed",
        `Cannot ${action} ${path}: a file and a directory collide (${code})`,
        {
          vendorMessage,
          cause: error,
        },
      );
    default:
      return new ShipgateError("internal", `Cannot ${action} ${path}: ${message}`, {
        vendorMessage,
        cause: error,
      });
  }
}
