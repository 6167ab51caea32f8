import type { AzureHandlers } from "./azure-route.js";
import { type AzureState, uuidOf } from "./state.js";

/** Builds and their timelines (CI checks, stage approvals). */
export function buildHandlers(s: AzureState): AzureHandlers {
  const { buildEntity, builds, orgBase, projectId, repositoryId, tokenPage, wrapped } = s;
  return {
    "GET build/builds": ({ url, q, ok }) => {
      let found = [...builds];
      const repositoryFilter = q("repositoryId");
      if (repositoryFilter && repositoryFilter.toLowerCase() !== repositoryId) found = [];
      const minTime = q("minTime");
      if (minTime) found = found.filter((b) => Date.parse(b.queueTime) >= Date.parse(minTime));
      const order = (q("queryOrder") ?? "queueTimeDescending").toLowerCase();
      found.sort(
        (x, y) =>
          (order.endsWith("ascending") ? 1 : -1) *
          (Date.parse(x.queueTime) - Date.parse(y.queueTime) || x.id - y.id),
      );
      const { page, headers: pageHeaders } = tokenPage(found, url, 1000);
      return ok(wrapped(page.map(buildEntity)), pageHeaders);
    },
    "GET build/builds/{buildId}/timeline": ({ values, ok, notFound }) => {
      const build = builds.find((b) => String(b.id) === values.buildId);
      if (!build)
        return notFound(
          `The requested build ${values.buildId} could not be found.`,
          "BuildNotFoundException",
        );
      return ok({
        records: build.records,
        lastChangedBy: uuidOf("system"),
        lastChangedOn: build.queueTime,
        id: uuidOf(`timeline:${build.id}`),
        changeId: build.records.length,
        url: `${orgBase()}/${projectId}/_apis/build/builds/${build.id}/Timeline/${uuidOf(`timeline:${build.id}`)}`,
      });
    },
  };
}
