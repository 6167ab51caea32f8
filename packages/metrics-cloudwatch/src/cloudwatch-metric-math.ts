/** A metric-math expression tree (the arithmetic subset the emulator evaluates). */
export type MathNode =
  | { kind: "number"; value: number }
  | { kind: "ref"; id: string }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: MathNode; right: MathNode }
  | { kind: "negate"; operand: MathNode };

/**
 * Parses arithmetic metric math (`100 * errors / requests`, `(m1 + m2) / m3`): query ids,
 * numbers, `+ - * /`, unary minus and parentheses. Functions, `SEARCH` and Metrics
 * Insights `SELECT` are not supported and are reported as such.
 *
 * @example
 * ```ts
 * parseMetricMath("100 * m1 / m2");
 * ```
 */
export function parseMetricMath(
  text: string,
): { ok: true; value: MathNode } | { ok: false; reason: string } {
  const tokens = text.match(
    /\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[-+*/()]|\S)/g,
  );
  if (!tokens) return { ok: false, reason: "empty expression" };
  const list = tokens.map((t) => t.trim());
  let pos = 0;
  const peek = () => list[pos];
  const fail = (reason: string): never => {
    throw new Error(reason);
  };
  const primary = (): MathNode => {
    const t = list[pos++];
    if (t === undefined) return fail("unexpected end of expression");
    if (t === "(") {
      const inner = sum();
      if (list[pos++] !== ")") fail("missing `)`");
      return inner;
    }
    if (t === "-") return { kind: "negate", operand: primary() };
    if (/^\d/.test(t)) return { kind: "number", value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") return fail(`function ${t}() is not supported by the emulator`);
      return { kind: "ref", id: t };
    }
    return fail(`Unrecognized token ${t}`);
  };
  const product = (): MathNode => {
    let left = primary();
    while (peek() === "*" || peek() === "/") {
      const op = list[pos++] as "*" | "/";
      left = { kind: "binary", op, left, right: primary() };
    }
    return left;
  };
  const sum = (): MathNode => {
    let left = product();
    while (peek() === "+" || peek() === "-") {
      const op = list[pos++] as "+" | "-";
      left = { kind: "binary", op, left, right: product() };
    }
    return left;
  };
  try {
    const tree = sum();
    if (pos !== list.length) fail(`Unrecognized token ${list[pos]}`);
    return { ok: true, value: tree };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** The query ids an expression refers to. */
export function referencedIds(node: MathNode): string[] {
  switch (node.kind) {
    case "ref":
      return [node.id];
    case "binary":
      return [...referencedIds(node.left), ...referencedIds(node.right)];
    case "negate":
      return referencedIds(node.operand);
    default:
      return [];
  }
}

/** A time series keyed by timestamp (epoch seconds), or a scalar. */
export type MathValue = Map<number, number> | number;

/**
 * Evaluates an expression over series: series are aligned on timestamps (a timestamp
 * missing from either side drops out, as CloudWatch does without `FILL`), scalars
 * broadcast, and non-finite results (x/0) are dropped.
 */
export function evaluateMetricMath(
  node: MathNode,
  lookup: (id: string) => Map<number, number>,
): MathValue {
  const apply = (a: number, b: number, op: "+" | "-" | "*" | "/") =>
    op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
  switch (node.kind) {
    case "number":
      return node.value;
    case "ref":
      return lookup(node.id);
    case "negate": {
      const v = evaluateMetricMath(node.operand, lookup);
      return typeof v === "number" ? -v : new Map([...v].map(([t, x]) => [t, -x]));
    }
    case "binary": {
      const l = evaluateMetricMath(node.left, lookup);
      const r = evaluateMetricMath(node.right, lookup);
      if (typeof l === "number" && typeof r === "number") return apply(l, r, node.op);
      const out = new Map<number, number>();
      const times = typeof l === "number" ? [...(r as Map<number, number>).keys()] : [...l.keys()];
      for (const t of times) {
        const a = typeof l === "number" ? l : l.get(t);
        const b = typeof r === "number" ? r : r.get(t);
        if (a === undefined || b === undefined) continue;
        const v = apply(a, b, node.op);
        if (Number.isFinite(v)) out.set(t, v);
      }
      return out;
    }
  }
}
