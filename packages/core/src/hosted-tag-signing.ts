import { errAsync } from "neverthrow";
import { z } from "zod";
import type { SourceControl } from "./contracts/source-control.js";
import { ShipgateError } from "./errors/shipgate-error.js";

function refusal(forge: string): string {
  return `${forge} creates release tags through its API and cannot sign them; remove sign, or tag with the git source control (use: git, sign: ssh | gpg), which pushes a signed tag`;
}

/**
 * The `sign` option of a source control that creates tags through a forge's API (GitHub,
 * GitLab, Azure Repos), which cannot sign them: only `false` is accepted, anything else is
 * refused with a clear error rather than ignored.
 *
 * @example
 * ```ts
 * const optionsSchema = z.strictObject({ owner: z.string(), sign: unsignedTagsSchema("GitHub") });
 * ```
 */
export function unsignedTagsSchema(forge: string) {
  return z.literal(false, { error: refusal(forge) }).optional();
}

/**
 * For programmatic use of a forge source control: when `sign` asks for a signature, every
 * `createAnnotatedTag` fails with `unsupported` (field `sign`) before calling the forge;
 * otherwise the source control is returned as it is.
 */
export function refuseTagSigning<T extends SourceControl>(
  sourceControl: T,
  forge: string,
  sign: unknown,
): T {
  if (sign === undefined || sign === false) return sourceControl;
  const error = new ShipgateError("unsupported", refusal(forge), {
    field: "sign",
    hint: "Sign tags with the git source control (sign: ssh | gpg) and push them to the forge",
  });
  return Object.assign(Object.create(sourceControl), {
    createAnnotatedTag: () => errAsync(error),
  }) as T;
}
