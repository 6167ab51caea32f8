// What Slack refuses in a message (text and Block Kit blocks), as its emulator checks it.

/** Result of {@link validateSlackMessage}. */
export type SlackValidation =
  | { ok: true; warnings: string[] }
  | { ok: false; error: "no_text" | "invalid_blocks" | "msg_too_long"; errors: string[] };

/**
 * Validates a message payload as Slack does before posting it. Pure; exported so property
 * tests can check the formatter against the same rules the emulator enforces.
 */
export function validateSlackMessage(payload: Record<string, unknown>): SlackValidation {
  const text = payload.text;
  const blocks = payload.blocks;
  if (text !== undefined && typeof text !== "string") {
    return { ok: false, error: "no_text", errors: ["text must be a string [json-pointer:/text]"] };
  }
  const hasText = typeof text === "string" && text.trim().length > 0;
  if (blocks === undefined || blocks === null) {
    if (!hasText) return { ok: false, error: "no_text", errors: [] };
    if ((text as string).length > 40_000) return { ok: false, error: "msg_too_long", errors: [] };
    return { ok: true, warnings: [] };
  }
  if (!Array.isArray(blocks)) {
    return {
      ok: false,
      error: "invalid_blocks",
      errors: ["must provide an array [json-pointer:/blocks]"],
    };
  }
  if (blocks.length === 0 && !hasText) return { ok: false, error: "no_text", errors: [] };
  const errors = validateBlocks(blocks);
  if (errors.length > 0) return { ok: false, error: "invalid_blocks", errors };
  if (typeof text === "string" && text.length > 40_000)
    return { ok: false, error: "msg_too_long", errors: [] };
  // Slack accepts blocks without `text` but warns: notifications then say "This content can't be displayed".
  return { ok: true, warnings: hasText ? [] : ["missing_text_or_fallback"] };
}

const BLOCK_KEYS: Record<string, readonly string[]> = {
  header: ["type", "text", "block_id"],
  section: ["type", "text", "fields", "block_id", "accessory", "expand"],
  context: ["type", "elements", "block_id"],
  divider: ["type", "block_id"],
};

function validateBlocks(blocks: unknown[]): string[] {
  const errors: string[] = [];
  if (blocks.length > 50) errors.push("must provide no more than 50 items [json-pointer:/blocks]");
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `/blocks/${i}`;
    if (!isObject(block)) {
      errors.push(`must provide an object [json-pointer:${at}]`);
      return;
    }
    const type = block.type;
    const keys = typeof type === "string" ? BLOCK_KEYS[type] : undefined;
    if (!keys) {
      errors.push(`unsupported type: ${String(type)} [json-pointer:${at}/type]`);
      return;
    }
    for (const key of Object.keys(block)) {
      if (!keys.includes(key))
        errors.push(`invalid additional property: ${key} [json-pointer:${at}]`);
    }
    if (block.block_id !== undefined) {
      if (
        typeof block.block_id !== "string" ||
        block.block_id.length === 0 ||
        block.block_id.length > 255
      ) {
        errors.push(`must be a string of 1 to 255 characters [json-pointer:${at}/block_id]`);
      } else if (ids.has(block.block_id)) {
        errors.push(`duplicate block_id [json-pointer:${at}/block_id]`);
      } else ids.add(block.block_id);
    }
    if (type === "header") {
      errors.push(...validateText(block.text, `${at}/text`, 150, true));
    } else if (type === "section") {
      if (block.text === undefined && block.fields === undefined) {
        errors.push(`must provide either text or fields [json-pointer:${at}]`);
      }
      if (block.text !== undefined)
        errors.push(...validateText(block.text, `${at}/text`, 3000, false));
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields) || block.fields.length === 0) {
          errors.push(`must provide a non-empty array [json-pointer:${at}/fields]`);
        } else {
          if (block.fields.length > 10)
            errors.push(`must provide no more than 10 items [json-pointer:${at}/fields]`);
          block.fields.forEach((f, j) => {
            errors.push(...validateText(f, `${at}/fields/${j}`, 2000, false));
          });
        }
      }
      if (block.accessory !== undefined && !isObject(block.accessory)) {
        errors.push(`must provide an object [json-pointer:${at}/accessory]`);
      }
    } else if (type === "context") {
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        errors.push(`must provide a non-empty array [json-pointer:${at}/elements]`);
      } else {
        if (block.elements.length > 10) {
          errors.push(`must provide no more than 10 items [json-pointer:${at}/elements]`);
        }
        block.elements.forEach((e, j) => {
          errors.push(...validateText(e, `${at}/elements/${j}`, 3000, false));
        });
      }
    }
  });
  return errors;
}

function validateText(value: unknown, at: string, max: number, plainOnly: boolean): string[] {
  if (!isObject(value)) return [`must provide an object [json-pointer:${at}]`];
  const errors: string[] = [];
  const type = value.type;
  if (type !== "plain_text" && type !== "mrkdwn") {
    errors.push(`must be a valid enum value [json-pointer:${at}/type]`);
  } else if (plainOnly && type !== "plain_text") {
    errors.push(`must be plain_text [json-pointer:${at}/type]`);
  }
  const allowed = type === "plain_text" ? ["type", "text", "emoji"] : ["type", "text", "verbatim"];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      errors.push(`invalid additional property: ${key} [json-pointer:${at}]`);
  }
  if (typeof value.text !== "string") {
    errors.push(`must provide a string [json-pointer:${at}/text]`);
  } else if (value.text.length === 0) {
    errors.push(`must be more than 0 characters [json-pointer:${at}/text]`);
  } else if (value.text.length > max) {
    errors.push(`must be less than ${max + 1} characters [json-pointer:${at}/text]`);
  }
  return errors;
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
