import type { GitHubPayloads } from "../github-emulator-payloads.js";
import type { EmulatedRepository } from "../github-emulator-state.js";
import { NOT_FOUND, type Route, validationFailed } from "./route.js";

/** Git references and annotated tags. */
export function gitRefRoutes(repo: EmulatedRepository, p: GitHubPayloads): Route[] {
  return [
    {
      method: "GET",
      pattern: /^\/git\/matching-refs\/(.+)$/,
      operationId: "git/list-matching-refs",
      handle: ({ params }) => {
        const prefix = `refs/${params[0]!}`;
        const refs = [...repo.refs.entries()]
          .filter(([ref]) => ref.startsWith(prefix))
          .sort(([a], [b]) => a.localeCompare(b));
        return { status: 200, body: refs.map(([ref, sha]) => p.gitRef(ref, sha)) };
      },
    },
    {
      method: "GET",
      pattern: /^\/git\/ref\/(.+)$/,
      operationId: "git/get-ref",
      handle: ({ params }) => {
        const ref = `refs/${params[0]!}`;
        const sha = repo.refs.get(ref);
        return sha ? { status: 200, body: p.gitRef(ref, sha) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "GET",
      pattern: /^\/git\/tags\/([0-9a-f]{40})$/,
      operationId: "git/get-tag",
      handle: ({ params }) => {
        const tag = repo.tagObjects.get(params[0]!);
        return tag ? { status: 200, body: p.gitTag(tag) } : { status: 404, body: NOT_FOUND };
      },
    },
    {
      method: "POST",
      pattern: /^\/git\/tags$/,
      operationId: "git/create-tag",
      handle: ({ body }) => {
        const docs = "https://docs.github.com/rest/git/tags#create-a-tag-object";
        const { tag, message, object, type } = body;
        if (typeof tag !== "string" || tag === "")
          return validationFailed("Validation Failed", docs, "tag");
        if (typeof message !== "string")
          return validationFailed("Validation Failed", docs, "message");
        if (type !== "commit" && type !== "tag")
          return validationFailed("Validation Failed", docs, "type");
        if (
          typeof object !== "string" ||
          !(type === "commit" ? repo.commits.has(object) : repo.tagObjects.has(object))
        ) {
          return validationFailed("Object does not exist", docs);
        }
        const tagger = body.tagger as { name?: string; email?: string; date?: string } | undefined;
        const sha = repo.createTagObject({
          tag,
          message,
          objectSha: object,
          objectType: type,
          ...(tagger?.name ? { taggerName: tagger.name } : {}),
          ...(tagger?.email ? { taggerEmail: tagger.email } : {}),
          ...(tagger?.date ? { taggerDate: tagger.date } : {}),
        });
        return {
          status: 201,
          body: p.gitTag(repo.tagObjects.get(sha)!),
          headers: { location: `${p.repoApi}/git/tags/${sha}` },
        };
      },
    },
    {
      method: "POST",
      pattern: /^\/git\/refs$/,
      operationId: "git/create-ref",
      handle: ({ body }) => {
        const docs = "https://docs.github.com/rest/git/refs#create-a-reference";
        const { ref, sha } = body;
        if (typeof ref !== "string" || !/^refs\/[^/]+\/.+/.test(ref)) {
          return validationFailed("Reference name is invalid", docs);
        }
        if (typeof sha !== "string" || !(repo.commits.has(sha) || repo.tagObjects.has(sha))) {
          return validationFailed("Object does not exist", docs);
        }
        if (repo.refs.has(ref)) return validationFailed("Reference already exists", docs);
        repo.refs.set(ref, sha);
        return {
          status: 201,
          body: p.gitRef(ref, sha),
          headers: { location: `${p.repoApi}/git/${ref}` },
        };
      },
    },
  ];
}
