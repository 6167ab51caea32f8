/**
 * What a JS string becomes on the wire: lone UTF-16 surrogates are not UTF-8 and turn
 * into U+FFFD (`String.prototype.toWellFormed`, which Node 20's TS lib does not declare).
 */
export function wellFormed(value: string): string {
  return value.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
}
