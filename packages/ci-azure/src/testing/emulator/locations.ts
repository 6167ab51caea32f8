import { CREATE_WORK_ITEM, DOLLAR_TYPE } from "./documented-fields.js";

/** A location of the location service, and the documented routes it serves. */
export interface Location {
  id: string;
  area: string;
  resourceName: string;
  routeTemplate: string;
  /** The documented route this location serves, per method. */
  routes: Record<string, string>;
}

// The locations azure-devops-node-api asks for (ids from its generated clients), with Azure
// DevOps' route templates. The emulator routes requests by these same templates.
export const LOCATIONS: Location[] = [
  {
    id: "e81700f7-3be2-46de-8624-2eb35882fcaa",
    area: "Location",
    resourceName: "ResourceAreas",
    routeTemplate: "_apis/{resource}/{areaId}",
    routes: { GET: "GET _apis/ResourceAreas" },
  },
  {
    id: "225f7195-f9c7-4d14-ab28-a83f7ff77e1f",
    area: "git",
    resourceName: "repositories",
    routeTemplate: "{project}/_apis/{area}/{resource}/{repositoryId}",
    routes: { GET: "GET git/repositories/{repositoryId}" },
  },
  {
    id: "c2570c3b-5b3f-41b8-98bf-5407bfde8d58",
    area: "git",
    resourceName: "commits",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{commitId}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}" },
  },
  {
    id: "615588d5-c0c7-4b88-88f8-e625306446e8",
    area: "git",
    resourceName: "diffs",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/commits",
    routes: { GET: "GET git/repositories/{repositoryId}/diffs/commits" },
  },
  {
    id: "2d874a60-a811-4f62-9c9f-963a6ea0a55b",
    area: "git",
    resourceName: "refs",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{*filter}",
    routes: { GET: "GET git/repositories/{repositoryId}/refs" },
  },
  {
    id: "5e8a8081-3851-4626-b677-9891cc04102e",
    area: "git",
    resourceName: "annotatedTags",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}/{objectId}",
    routes: {
      GET: "GET git/repositories/{repositoryId}/annotatedtags/{objectId}",
      POST: "POST git/repositories/{repositoryId}/annotatedtags",
    },
  },
  {
    id: "6400dfb2-0bcb-462b-b992-5a57f8f1416c",
    area: "git",
    resourceName: "commitsBatch",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}",
    routes: { POST: "POST git/repositories/{repositoryId}/commitsbatch" },
  },
  {
    id: "b3a6eebe-9cf0-49ea-b6cb-1a4c5f5007b0",
    area: "git",
    resourceName: "pullRequestQuery",
    routeTemplate: "{project}/_apis/{area}/repositories/{repositoryId}/{resource}",
    routes: { POST: "POST git/repositories/{repositoryId}/pullrequestquery" },
  },
  {
    id: "5bf884f5-3e07-42e9-afb8-1b872267bf16",
    area: "git",
    resourceName: "changes",
    routeTemplate:
      "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}/changes" },
  },
  {
    id: "428dd4fb-fda5-4722-af02-9313b80305da",
    area: "git",
    resourceName: "statuses",
    routeTemplate:
      "{project}/_apis/{area}/repositories/{repositoryId}/commits/{commitId}/{resource}",
    routes: { GET: "GET git/repositories/{repositoryId}/commits/{commitId}/statuses" },
  },
  {
    id: "0cd358e1-9217-4d94-8269-1c1ee6f93dcf",
    area: "build",
    resourceName: "builds",
    routeTemplate: "{project}/_apis/{area}/{resource}/{buildId}",
    routes: { GET: "GET build/builds" },
  },
  {
    id: "8baac422-4c6e-4de5-8532-db96d92acffa",
    area: "build",
    resourceName: "Timeline",
    routeTemplate: "{project}/_apis/{area}/builds/{buildId}/{resource}/{timelineId}",
    routes: { GET: "GET build/builds/{buildId}/timeline" },
  },
  {
    id: "dad91cbe-d183-45f8-9c6e-9c1164472121",
    area: "policy",
    resourceName: "configurations",
    routeTemplate: "{project}/_apis/{area}/{resource}/{configurationId}",
    routes: { GET: "GET policy/configurations" },
  },
  {
    id: "62d3d110-0047-428c-ad3c-4fe872c91c74",
    area: "wit",
    resourceName: "workItems",
    routeTemplate: `{project}/_apis/{area}/{resource}/${DOLLAR_TYPE}`,
    routes: { POST: CREATE_WORK_ITEM },
  },
  {
    id: "72c7ddf8-2cdc-4f60-90cd-ab71c14a399b",
    area: "wit",
    resourceName: "workItems",
    routeTemplate: "{project}/_apis/{area}/{resource}/{id}",
    routes: { PATCH: "PATCH wit/workitems/{id}" },
  },
  {
    id: "908509b6-4248-4475-a1cd-829139ba419f",
    area: "wit",
    resourceName: "workItemsBatch",
    routeTemplate: "{project}/_apis/{area}/{resource}",
    routes: { POST: "POST wit/workitemsbatch" },
  },
  {
    id: "1a9c53f7-f243-4447-b110-35ef023636e4",
    area: "wit",
    resourceName: "wiql",
    routeTemplate: "{project}/{team}/_apis/{area}/{resource}/{id}",
    routes: { POST: "POST wit/wiql" },
  },
];

/** The resource areas `GET _apis/ResourceAreas` lists. */
export const RESOURCE_AREAS = [
  { id: "4e080c62-fa21-4fbc-8fef-2a10a2b38049", name: "git" },
  { id: "965220d5-5bb9-42cf-8d67-9b146df2a5a4", name: "build" },
  { id: "5264459e-e5e0-4bd8-b118-0985e68a4ec5", name: "wit" },
  { id: "fb13a388-40dd-4a04-b530-013a739c72ef", name: "policy" },
];

/** Matches path segments against a route template; returns the route values or null. */
export function matchTemplate(
  location: Location,
  segments: string[],
): Record<string, string> | null {
  const template = location.routeTemplate
    .replace("{area}", location.area)
    .replace("{resource}", location.resourceName)
    .split("/");
  const values: Record<string, string> = {};
  const go = (t: number, p: number): boolean => {
    if (t === template.length) return p === segments.length;
    const part = template[t]!;
    const param = /^(\$?)\{\*?(\w+)\}$/.exec(part);
    if (param) {
      const [, prefix, name] = param;
      const segment = segments[p];
      if (
        segment !== undefined &&
        segment.toLowerCase() !== "_apis" &&
        (!prefix || segment.startsWith(prefix))
      ) {
        values[name!] = prefix ? segment.slice(prefix.length) : segment;
        if (go(t + 1, p + 1)) return true;
        delete values[name!];
      }
      // Route values are optional: a missing one drops its segment.
      return prefix ? false : go(t + 1, p);
    }
    return segments[p]?.toLowerCase() === part.toLowerCase() && go(t + 1, p + 1);
  };
  return go(0, 0) ? values : null;
}
