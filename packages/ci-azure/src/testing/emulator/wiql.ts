// The part of WIQL (Work Item Query Language) the emulator evaluates: a flat query over
// WorkItems whose WHERE clause is a conjunction of `[Field] <op> 'value'` (op `=`, `<>` or
// CONTAINS; the value may be @project), with an optional ORDER BY. As in Azure DevOps, string
// comparisons ignore case and CONTAINS on System.Tags means "carries this tag" (tags are whole,
// `;`-separated values). Anything else is refused rather than ignored, so an adapter cannot rely
// on a clause the emulator would silently drop. Long-text (HTML) fields such as
// System.Description are refused too: Azure DevOps accepts only full-text `Contains Words` there.

/** A stored work item, as the emulator keeps it. */
export interface WiqlWorkItem {
  id: number;
  fields: Record<string, unknown>;
}

interface Condition {
  field: string;
  operator: "=" | "<>" | "contains";
  /** The literal, or null for @project. */
  value: string | null;
}

/** A parsed query: what it keeps and in which order. */
export interface WiqlQuery {
  conditions: Condition[];
  order: { field: string; descending: boolean }[];
}

const HTML_FIELDS = new Set(
  ["System.Description", "Microsoft.VSTS.TCM.ReproSteps", "System.History"].map((f) =>
    f.toLowerCase(),
  ),
);

const CONDITION =
  /^\[([\w.]+)\]\s*(=|<>|contains)\s*(?:'((?:[^']|'')*)'|(@project))\s*(?:and\s+|$)/i;
const ORDER_TERM = /^\[([\w.]+)\](?:\s+(asc|desc))?\s*(?:,\s*|$)/i;

/** Parses `query`; a string says what the emulator does not understand. */
export function parseWiql(query: string): WiqlQuery | string {
  const shape =
    /^\s*select\s+.+?\s+from\s+workitems(?:\s+where\s+(.+?))?(?:\s+order\s+by\s+(.+?))?\s*$/is.exec(
      query,
    );
  if (!shape) return "not a flat SELECT … FROM WorkItems query";
  const conditions: Condition[] = [];
  let where = shape[1]?.trim() ?? "";
  while (where !== "") {
    const m = CONDITION.exec(where);
    if (!m) return `condition not understood: ${where}`;
    const field = m[1]!;
    if (HTML_FIELDS.has(field.toLowerCase()))
      return `${field} is a long-text field: Azure DevOps queries it only with Contains Words`;
    conditions.push({
      field,
      operator: m[2]!.toLowerCase() as Condition["operator"],
      value: m[4] ? null : m[3]!.replaceAll("''", "'"),
    });
    where = where.slice(m[0].length);
  }
  const order: WiqlQuery["order"] = [];
  let terms = shape[2]?.trim() ?? "";
  while (terms !== "") {
    const m = ORDER_TERM.exec(terms);
    if (!m) return `ORDER BY not understood: ${terms}`;
    order.push({ field: m[1]!, descending: m[2]?.toLowerCase() === "desc" });
    terms = terms.slice(m[0].length);
  }
  return { conditions, order };
}

const fieldValue = (item: WiqlWorkItem, field: string): unknown =>
  field.toLowerCase() === "system.id"
    ? item.id
    : Object.entries(item.fields).find(([name]) => name.toLowerCase() === field.toLowerCase())?.[1];

const text = (value: unknown) => String(value ?? "").toLowerCase();

function holds(item: WiqlWorkItem, condition: Condition, project: string): boolean {
  const wanted = (condition.value ?? project).toLowerCase();
  const actual = fieldValue(item, condition.field);
  if (condition.operator === "=") return text(actual) === wanted;
  if (condition.operator === "<>") return text(actual) !== wanted;
  if (condition.field.toLowerCase() === "system.tags")
    return text(actual)
      .split(";")
      .map((tag) => tag.trim())
      .includes(wanted);
  return text(actual).includes(wanted);
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return text(a).localeCompare(text(b));
}

/** The work items `query` keeps, in its order (by id when it names none). */
export function evaluateWiql(
  query: WiqlQuery,
  items: Iterable<WiqlWorkItem>,
  project: string,
): WiqlWorkItem[] {
  const kept = [...items].filter((item) =>
    query.conditions.every((condition) => holds(item, condition, project)),
  );
  const order = query.order.length > 0 ? query.order : [{ field: "System.Id", descending: false }];
  return kept.sort((a, b) => {
    for (const { field, descending } of order) {
      const by = compare(fieldValue(a, field), fieldValue(b, field));
      if (by !== 0) return descending ? -by : by;
    }
    return 0;
  });
}
