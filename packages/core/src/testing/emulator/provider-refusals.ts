import type { Result } from "neverthrow";
import { expect } from "vitest";
import type { ShipgateError } from "../../errors/shipgate-error.js";

/**
 * Asserts that a hosted CI provider refused `sign:`: `forge` (e.g. `GitHub`) creates release
 * tags through its API, which cannot sign them.
 */
export function expectApiTagSigningRefused(
  result: Result<unknown, ShipgateError>,
  forge: string,
): void {
  const error = result._unsafeUnwrapErr();
  expect(error.kind).toBe("invalid_input");
  expect(error.describe()).toContain(
    `${forge} creates release tags through its API and cannot sign them`,
  );
  expect(error.describe()).toContain("sign");
}

/**
 * Asserts that a provider failed, as a value, on `field` (default `with.token_env`) because
 * `variable`, the environment variable that field names, is not set.
 */
export function expectUnsetTokenRefused(
  result: Result<unknown, ShipgateError>,
  variable: string,
  field = "with.token_env",
): void {
  const error = result._unsafeUnwrapErr();
  expect(error).toMatchObject({ kind: "invalid_input", field });
  expect(error.message).toContain(variable);
}
