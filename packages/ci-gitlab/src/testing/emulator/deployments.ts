import type { GitLabRoute } from "./gitlab-route.js";
import type { GitLabState } from "./state.js";

/** Deployments and their approvals (sign-off). */
export function deploymentRoutes(s: GitLabState): GitLabRoute[] {
  const { deploymentEntity, deployments } = s;
  return [
    {
      method: "GET",
      path: "/deployments",
      name: "GET /projects/:id/deployments",
      handle: ({ params, list }) => {
        let found = deployments;
        if (typeof params.environment === "string")
          found = found.filter((d) => d.environment === params.environment);
        if (typeof params.status === "string")
          found = found.filter((d) => d.status === params.status);
        const sign = params.sort === "desc" ? -1 : 1;
        found = [...found].sort((a, b) => sign * (a.id - b.id));
        return list(found.map((d) => deploymentEntity(d, false)));
      },
    },
    {
      method: "GET",
      path: "/deployments/:id",
      name: "GET /projects/:id/deployments/:deployment_id",
      handle: ({ rest, send }) => {
        const d = deployments.find((x) => String(x.id) === rest[1]);
        if (!d) return send(404, { message: "404 Not found" });
        return send(200, deploymentEntity(d, true));
      },
    },
  ];
}
