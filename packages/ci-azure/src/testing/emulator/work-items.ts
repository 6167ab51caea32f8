import type { AzureHandlers } from "./azure-route.js";
import { CREATE_WORK_ITEM } from "./documented-fields.js";
import type { AzureState } from "./state.js";

/** Work items and WIQL queries (incidents). */
export function workItemHandlers(s: AzureState): AzureHandlers {
  const {
    identity,
    now,
    orgBase,
    projectId,
    projectName,
    tick,
    vssError,
    workItemEntity,
    workItems,
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
    "POST wit/wiql": ({ body, ok }) => {
      const query = String((body as { query?: unknown })?.query ?? "");
      const tag = /\[System\.Tags\] CONTAINS '((?:[^']|'')*)'/i
        .exec(query)?.[1]
        ?.replaceAll("''", "'");
      const excluded = [...query.matchAll(/\[System\.State\] <> '((?:[^']|'')*)'/gi)].map((m) =>
        m[1]!.replaceAll("''", "'"),
      );
      const found = [...workItems.values()].filter((w) => {
        const tags = String(w.fields["System.Tags"] ?? "")
          .split(";")
          .map((t) => t.trim());
        return (!tag || tags.includes(tag)) && !excluded.includes(String(w.fields["System.State"]));
      });
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
