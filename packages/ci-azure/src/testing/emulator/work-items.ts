import type { AzureHandlers } from "./azure-route.js";
import { CREATE_WORK_ITEM } from "./documented-fields.js";
import type { AzureState } from "./state.js";
import { evaluateWiql, parseWiql } from "./wiql.js";

// Work Items - Get Work Items Batch takes at most this many ids.
const BATCH_LIMIT = 200;
// WorkItemExpand and WorkItemErrorPolicy, as the client's numbers or the wire's names.
const EXPAND = ["none", "relations", "fields", "links", "all"];
const enumName = (value: unknown, names: string[], fallback: string) =>
  typeof value === "number" ? (names[value] ?? fallback) : String(value ?? fallback).toLowerCase();

/** Work items and WIQL queries (incidents). */
export function workItemHandlers(s: AzureState): AzureHandlers {
  const {
    identity,
    now,
    orgBase,
    projectId,
    projectName,
    tick,
    unknownRequests,
    vssError,
    workItemEntity,
    workItems,
    wrapped,
  } = s;
  return {
    [CREATE_WORK_ITEM]: ({ values, body, ok, notFound, send }) => {
      const ops = Array.isArray(body)
        ? (body as { op?: unknown; path?: unknown; value?: unknown }[])
        : [];
      const fields: Record<string, unknown> = {};
      for (const op of ops) {
        if (
          (op.op !== "add" && op.op !== 0) ||
          typeof op.path !== "string" ||
          !op.path.startsWith("/fields/")
        ) {
          return send(
            400,
            vssError(
              `You must pass a valid patch document in the body of the request.`,
              "VssPropertyValidationException",
            ),
          );
        }
        fields[op.path.slice("/fields/".length)] = op.value;
      }
      const type = values.type ?? "";
      if (
        !["Bug", "Issue", "Task", "Incident"].some((t) => t.toLowerCase() === type.toLowerCase())
      ) {
        return notFound(
          `VS402323: Work item type ${type} does not exist in project ${projectName} or you do not have permission to access it.`,
          "WorkItemTypeNotFoundException",
        );
      }
      if (typeof fields["System.Title"] !== "string" || fields["System.Title"] === "") {
        return send(
          400,
          vssError(
            "TF401320: Rule Error for field Title. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InAdmin.",
            "RuleValidationException",
          ),
        );
      }
      const id = workItems.size + 1;
      const now = tick();
      const item = {
        id,
        rev: 1,
        fields: {
          "System.AreaPath": projectName,
          "System.TeamProject": projectName,
          "System.IterationPath": projectName,
          "System.WorkItemType": type,
          "System.State": "New",
          "System.Reason": "New",
          "System.CreatedDate": now,
          "System.CreatedBy": identity("shipgate-bot@example.com"),
          "System.ChangedDate": now,
          ...fields,
        },
      };
      workItems.set(id, item);
      return ok(workItemEntity(item));
    },
    "PATCH wit/workitems/{id}": ({ values, body, ok, notFound }) => {
      const item = workItems.get(Number(values.id));
      if (!item)
        return notFound(
          `TF401232: Work item ${values.id} does not exist, or you do not have permissions to read it.`,
          "WorkItemUnauthorizedAccessException",
        );
      for (const op of Array.isArray(body)
        ? (body as { op?: unknown; path?: string; value?: unknown }[])
        : []) {
        if (typeof op.path === "string" && op.path.startsWith("/fields/"))
          item.fields[op.path.slice(8)] = op.value;
      }
      item.rev += 1;
      item.fields["System.ChangedDate"] = tick();
      return ok(workItemEntity(item));
    },
    // Work Items - Get Work Items Batch: at most 200 ids; `fields` (only those, when they have a
    // value) or `$expand` (links adds `_links`), not both; a missing id fails the request unless
    // `errorPolicy` is omit, which answers null in its place.
    "POST wit/workitemsbatch": ({ body, ok, notFound, send }) => {
      const input = (body ?? {}) as {
        ids?: unknown;
        fields?: unknown;
        $expand?: unknown;
        errorPolicy?: unknown;
      };
      const ids = Array.isArray(input.ids) ? input.ids.map(Number) : [];
      if (ids.length === 0 || ids.some((id) => !Number.isInteger(id)))
        return send(400, vssError("The ids parameter is required.", "ArgumentException"));
      if (ids.length > BATCH_LIMIT)
        return send(
          400,
          vssError(
            `VS403474: You requested ${ids.length} work items which exceeds the limit of ${BATCH_LIMIT}`,
            "WorkItemTrackingServiceException",
          ),
        );
      const fields = Array.isArray(input.fields) ? input.fields.map(String) : null;
      const expand = enumName(input.$expand, EXPAND, "none");
      if (fields && expand !== "none")
        return send(
          400,
          vssError(
            "The expand parameter can not be used with the fields parameter.",
            "ArgumentException",
          ),
        );
      const omit = enumName(input.errorPolicy, ["", "fail", "omit"], "fail") === "omit";
      const value: unknown[] = [];
      for (const id of ids) {
        const item = workItems.get(id);
        if (!item) {
          if (omit) {
            value.push(null);
            continue;
          }
          return notFound(
            `TF401232: Work item ${id} does not exist, or you do not have permissions to read it.`,
            "WorkItemUnauthorizedAccessException",
          );
        }
        const { _links, ...entity } = workItemEntity(item);
        const picked = fields
          ? Object.fromEntries(
              Object.entries(item.fields).filter(([name]) =>
                fields.some((f) => f.toLowerCase() === name.toLowerCase()),
              ),
            )
          : item.fields;
        value.push({
          ...entity,
          fields: picked,
          ...(expand === "links" || expand === "all" ? { _links } : {}),
        });
      }
      return ok(wrapped(value));
    },
    "POST wit/wiql": ({ body, ok, send }) => {
      const query = String((body as { query?: unknown })?.query ?? "");
      const parsed = parseWiql(query);
      if (typeof parsed === "string") {
        // An adapter's query the emulator cannot evaluate fails the contract test.
        unknownRequests.push(`POST wit/wiql: ${parsed}`);
        return send(400, vssError(`emulator: WIQL not understood: ${parsed}`, "NotSupported"));
      }
      const found = evaluateWiql(parsed, workItems.values(), projectName);
      return ok({
        queryType: "flat",
        queryResultType: "workItem",
        asOf: now(),
        columns: [
          {
            referenceName: "System.Id",
            name: "ID",
            url: `${orgBase()}/_apis/wit/fields/System.Id`,
          },
        ],
        workItems: found.map((w) => ({
          id: w.id,
          url: `${orgBase()}/${projectId}/_apis/wit/workItems/${w.id}`,
        })),
      });
    },
  };
}
