/** A documented field type of a vendor's response; `|null` marks a nullable field. */
export type DocumentedFieldType =
  | "string"
  | "number"
  | "boolean"
  | "array"
  | "object"
  | "string|null"
  | "number|null"
  | "boolean|null"
  | "object|null"
  | "array|null";

/** The JSON type of a value: `null`, `array`, or its `typeof`. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * What an answer's object lacks or gets wrong against the vendor's documented fields, as
 * `<where>.<field>: missing` or `<where>.<field>: expected <type>, got <type>`; `[]` when
 * it conforms. Emulators' contract checks build on it. Pure.
 */
export function documentedFieldProblems(
  where: string,
  item: unknown,
  fields: Record<string, DocumentedFieldType>,
): string[] {
  if (item === null || typeof item !== "object" || Array.isArray(item))
    return [`${where}: expected an object`];
  const problems: string[] = [];
  for (const [field, type] of Object.entries(fields)) {
    if (!(field in item)) {
      problems.push(`${where}.${field}: missing`);
      continue;
    }
    const value = (item as Record<string, unknown>)[field];
    const [base, nullable] = type.split("|");
    const actual = jsonTypeOf(value);
    if (value === null ? nullable !== "null" : actual !== base)
      problems.push(`${where}.${field}: expected ${type}, got ${actual}`);
  }
  return problems;
}
