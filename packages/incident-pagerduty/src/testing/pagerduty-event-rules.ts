// What PagerDuty refuses in an Events API v2 event, as its emulator checks it.

/** Validates an event as PagerDuty does; returns the errors (empty when valid). Pure. */
export function validatePagerDutyEvent(
  event: unknown,
  knownRoutingKeys: ReadonlySet<string>,
): string[] {
  if (!isObject(event)) return ["Event object is not a JSON object"];
  const errors: string[] = [];
  const key = event.routing_key;
  if (typeof key !== "string" || key.trim() === "")
    errors.push("'routing_key' is missing or blank");
  else if (key.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  else if (!knownRoutingKeys.has(key)) errors.push("Invalid routing key");

  const action = event.event_action;
  if (action !== "trigger" && action !== "acknowledge" && action !== "resolve") {
    errors.push("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  }
  const dedup = event.dedup_key;
  if (dedup !== undefined && (typeof dedup !== "string" || dedup.length > 255)) {
    errors.push("'dedup_key' must be a string of at most 255 characters");
  }
  if (
    (action === "acknowledge" || action === "resolve") &&
    (typeof dedup !== "string" || dedup.trim() === "")
  ) {
    errors.push(`'dedup_key' is required for ${action} events`);
  }
  if (action === "trigger") {
    const payload = event.payload;
    if (!isObject(payload)) {
      errors.push("'payload' is missing or not an object");
    } else {
      const { summary, source, severity } = payload;
      if (typeof summary !== "string" || summary.trim() === "")
        errors.push("'payload.summary' is missing or blank");
      else if (summary.length > 1024)
        errors.push("'payload.summary' is longer than 1024 characters");
      if (typeof source !== "string" || source.trim() === "")
        errors.push("'payload.source' is missing or blank");
      if (!["critical", "error", "warning", "info"].includes(severity as string)) {
        errors.push(
          "'payload.severity' is invalid (must be one of: critical, error, warning, info)",
        );
      }
      if (
        payload.timestamp !== undefined &&
        (typeof payload.timestamp !== "string" || Number.isNaN(Date.parse(payload.timestamp)))
      ) {
        errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
      }
      for (const field of ["component", "group", "class"] as const) {
        if (payload[field] !== undefined && typeof payload[field] !== "string")
          errors.push(`'payload.${field}' must be a string`);
      }
      if (payload.custom_details !== undefined && !isObject(payload.custom_details)) {
        errors.push("'payload.custom_details' must be an object");
      }
    }
  }
  if (event.links !== undefined) {
    if (!Array.isArray(event.links)) errors.push("'links' must be an array");
    else
      event.links.forEach((link, i) => {
        if (!isObject(link) || typeof link.href !== "string" || link.href === "")
          errors.push(`'links[${i}].href' is required`);
        else if (link.text !== undefined && typeof link.text !== "string")
          errors.push(`'links[${i}].text' must be a string`);
      });
  }
  if (event.images !== undefined) {
    if (!Array.isArray(event.images)) errors.push("'images' must be an array");
    else
      event.images.forEach((image, i) => {
        if (
          !isObject(image) ||
          typeof image.src !== "string" ||
          !image.src.startsWith("https://")
        ) {
          errors.push(`'images[${i}].src' is required and must be served via HTTPS`);
        }
      });
  }
  return errors;
}

/** A plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
