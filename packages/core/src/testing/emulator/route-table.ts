/** One entry of a route table: a method and a path pattern with `:name` segments. */
export interface EmulatorRoute<Context> {
  method: string;
  /** e.g. `/projects/:id/merge_requests/:iid`; segments are compared after URL-decoding. */
  path: string;
  /** The name the request log uses; default `METHOD path`. */
  name?: string;
  handle: (context: Context, params: Record<string, string>) => void | Promise<void>;
}

/** The route that matched a request, its name and the values of its `:name` segments. */
export interface RouteMatch<Context> {
  route: EmulatorRoute<Context>;
  name: string;
  params: Record<string, string>;
}

/** Splits a path into URL-decoded segments, dropping empty ones. */
export function pathSegments(path: string): string[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/**
 * Finds the first route whose method and pattern match; pattern segments starting with `:`
 * match any one segment. Pure.
 */
export function matchRoute<Context>(
  routes: readonly EmulatorRoute<Context>[],
  method: string,
  path: string | readonly string[],
): RouteMatch<Context> | undefined {
  const segments = typeof path === "string" ? pathSegments(path) : path;
  for (const route of routes) {
    if (route.method.toUpperCase() !== method.toUpperCase()) continue;
    const pattern = pathSegments(route.path);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      if (p.startsWith(":")) {
        params[p.slice(1)] = segments[i]!;
        return true;
      }
      return p === segments[i];
    });
    if (matches) return { route, name: route.name ?? `${route.method} ${route.path}`, params };
  }
  return undefined;
}
