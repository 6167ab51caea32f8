import type { AzureHandlers } from "./azure-route.js";
import { RESOURCE_AREAS } from "./locations.js";
import { type AzureState, sha1 } from "./state.js";

/** Git: repositories, commits, diffs, refs, annotated tags, pull requests, changes, statuses. */
export function gitHandlers(s: AzureState): AzureHandlers {
  const {
    ancestors,
    commitRef,
    commits,
    defaultBranch,
    identity,
    org,
    orgBase,
    peel,
    prEntity,
    projectId,
    projectName,
    projectRef,
    pullRequests,
    refs,
    repoName,
    repoUrl,
    repositoryId,
    resolveVersion,
    skipPage,
    statuses,
    tagEntity,
    tagObjects,
    tick,
    tokenPage,
    vssError,
    webRepoUrl,
    wrapped,
  } = s;
  return {
    "GET _apis/ResourceAreas": ({ ok }) => {
      return ok(wrapped(RESOURCE_AREAS.map((a) => ({ ...a, locationUrl: `${orgBase()}/` }))));
    },
    "GET git/repositories/{repositoryId}": ({ ok }) => {
      return ok({
        id: repositoryId,
        name: repoName,
        url: `${orgBase()}/${projectId}/_apis/git/repositories/${repositoryId}`,
        project: projectRef(),
        defaultBranch: `refs/heads/${defaultBranch}`,
        size: 1024,
        remoteUrl: `${orgBase()}/${encodeURIComponent(projectName)}/_git/${encodeURIComponent(repoName)}`,
        sshUrl: `git@ssh.dev.azure.com:v3/${org}/${projectName}/${repoName}`,
        webUrl: webRepoUrl(),
        isDisabled: false,
        isInMaintenance: false,
      });
    },
    "GET git/repositories/{repositoryId}/commits/{commitId}": ({ values, ok, notFound }) => {
      const commit = values.commitId ? commits.get(values.commitId.toLowerCase()) : undefined;
      if (!commit) {
        return notFound(
          `TF401175: The version descriptor <Commit: ${values.commitId}> could not be resolved to a version in the repository ${repoName}`,
          "GitItemNotFoundException",
        );
      }
      return ok({
        treeId: sha1(`tree:${commit.id}`),
        ...commitRef(commit),
        parents: commit.parents,
        _links: {
          self: { href: `${repoUrl()}/commits/${commit.id}` },
          web: { href: `${webRepoUrl()}/commit/${commit.id}` },
        },
        push: { pushId: commit.seq, date: commit.date, pushedBy: identity(commit.author) },
      });
    },
    "GET git/repositories/{repositoryId}/diffs/commits": ({ url, q, ok, notFound }) => {
      const baseCommit = resolveVersion(q("baseVersion"), q("baseVersionType"));
      const targetCommit = resolveVersion(q("targetVersion"), q("targetVersionType"));
      if (!baseCommit || !targetCommit) {
        const missing = !baseCommit ? q("baseVersion") : q("targetVersion");
        return notFound(
          `TF401175: The version descriptor <${missing}> could not be resolved to a version in the repository ${repoName}`,
          "GitItemNotFoundException",
        );
      }
      const a = ancestors(baseCommit);
      const b = ancestors(targetCommit);
      const common = [...a]
        .filter((id) => b.has(id))
        .map((id) => commits.get(id)!)
        .sort((x, y) => y.seq - x.seq)[0];
      const ahead = [...b].filter((id) => !a.has(id));
      const changed = ahead.flatMap((id) => commits.get(id)!.files);
      const changes = skipPage(
        [...new Set(changed)].map((path) => ({
          item: {
            gitObjectType: "blob",
            commitId: targetCommit,
            path: `/${path}`,
            url: `${repoUrl()}/items/${path}`,
          },
          changeType: "edit",
        })),
        url,
        100,
      );
      return ok({
        allChangesIncluded: true,
        changeCounts: { Edit: changed.length },
        changes,
        commonCommit: common?.id ?? "",
        baseCommit,
        targetCommit,
        aheadCount: ahead.length,
        behindCount: [...a].filter((id) => !b.has(id)).length,
      });
    },
    "GET git/repositories/{repositoryId}/refs": ({ url, q, ok }) => {
      const filter = q("filter") ?? "";
      const peelTags = q("peelTags") === "true";
      const all = [...refs.entries()]
        .filter(([name]) => name.startsWith(`refs/${filter}`))
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([name, objectId]) => ({
          name,
          objectId,
          ...(peelTags && tagObjects.has(objectId) ? { peeledObjectId: peel(objectId) } : {}),
          creator: identity("dev@example.com"),
          url: `${repoUrl()}/refs?filter=${encodeURIComponent(name.slice(5))}`,
        }));
      const { page, headers: pageHeaders } = tokenPage(all, url, 1000);
      return ok(wrapped(page), pageHeaders);
    },
    "GET git/repositories/{repositoryId}/annotatedtags/{objectId}": ({ values, ok, notFound }) => {
      const id = values.objectId?.toLowerCase() ?? "";
      if (!tagObjects.has(id))
        return notFound(
          `TF401029: The tag object ${values.objectId} could not be found.`,
          "GitObjectNotFoundException",
        );
      return ok(tagEntity(id));
    },
    "POST git/repositories/{repositoryId}/annotatedtags": ({ body, headers, notFound, send }) => {
      const input = (body ?? {}) as {
        name?: unknown;
        message?: unknown;
        taggedObject?: { objectId?: unknown };
      };
      const name = typeof input.name === "string" ? input.name.replace(/^refs\/tags\//, "") : "";
      const target =
        typeof input.taggedObject?.objectId === "string"
          ? input.taggedObject.objectId.toLowerCase()
          : "";
      if (!name || /[\s~^:?*[\\]|\.\.|^-|\/$/.test(name))
        return send(
          400,
          vssError(`TF401398: The tag name ${name} is not valid.`, "InvalidArgumentValueException"),
        );
      if (typeof input.message !== "string" || input.message.length === 0)
        return send(
          400,
          vssError(
            "The message of an annotated tag cannot be empty.",
            "InvalidArgumentValueException",
          ),
        );
      if (!commits.has(target))
        return notFound(
          `TF401175: The version descriptor <Commit: ${target}> could not be resolved to a version in the repository ${repoName}`,
          "GitItemNotFoundException",
        );
      if (refs.has(`refs/tags/${name}`))
        return send(
          409,
          vssError(
            `TF401289: The Git tag refs/tags/${name} already exists.`,
            "GitRefAlreadyExistsException",
          ),
        );
      const objectId = sha1(`tag:${name}:${input.message}`);
      tagObjects.set(objectId, { name, commit: target, message: input.message, date: tick() });
      refs.set(`refs/tags/${name}`, objectId);
      return send(201, tagEntity(objectId), headers);
    },
    "POST git/repositories/{repositoryId}/commitsbatch": ({ url, body, ok, notFound }) => {
      const criteria = (body ?? {}) as {
        itemVersion?: { version?: string; versionType?: string };
        compareVersion?: { version?: string; versionType?: string };
      };
      const head = criteria.itemVersion
        ? resolveVersion(criteria.itemVersion.version, criteria.itemVersion.versionType)
        : refs.get(`refs/heads/${defaultBranch}`);
      if (!head)
        return notFound(
          `TF401175: The version descriptor <${criteria.itemVersion?.version}> could not be resolved to a version in the repository ${repoName}`,
          "GitItemNotFoundException",
        );
      let reachable = [...ancestors(head)];
      if (criteria.compareVersion) {
        const from = resolveVersion(
          criteria.compareVersion.version,
          criteria.compareVersion.versionType,
        );
        if (!from)
          return notFound(
            `TF401175: The version descriptor <${criteria.compareVersion.version}> could not be resolved to a version in the repository ${repoName}`,
            "GitItemNotFoundException",
          );
        const excluded = ancestors(from);
        reachable = reachable.filter((id) => !excluded.has(id));
      }
      const ordered = reachable.map((id) => commits.get(id)!).sort((x, y) => y.seq - x.seq);
      return ok(wrapped(skipPage(ordered, url, 100).map(commitRef)));
    },
    "POST git/repositories/{repositoryId}/pullrequestquery": ({ body, ok }) => {
      const input = (body ?? {}) as { queries?: { type?: string | number; items?: string[] }[] };
      const queries = Array.isArray(input.queries) ? input.queries : [];
      const results = queries.map((query) => {
        const type = String(query.type ?? "").toLowerCase();
        const result: Record<string, unknown[]> = {};
        if (type !== "lastmergecommit" && type !== "1") return result;
        for (const item of query.items ?? []) {
          const matched = pullRequests.filter(
            (pr) => pr.lastMergeCommit === String(item).toLowerCase(),
          );
          if (matched.length > 0) result[item] = matched.map(prEntity);
        }
        return result;
      });
      return ok({ queries, results });
    },
    "GET git/repositories/{repositoryId}/commits/{commitId}/changes": ({
      url,
      values,
      ok,
      notFound,
    }) => {
      const commit = values.commitId ? commits.get(values.commitId.toLowerCase()) : undefined;
      if (!commit)
        return notFound(
          `TF401175: The version descriptor <Commit: ${values.commitId}> could not be resolved to a version in the repository ${repoName}`,
          "GitItemNotFoundException",
        );
      const entries: Record<string, unknown>[] = [];
      const folders = new Set<string>();
      for (const path of commit.files) {
        const folder = path.includes("/") ? `/${path.slice(0, path.lastIndexOf("/"))}` : null;
        if (folder && !folders.has(folder)) {
          folders.add(folder);
          entries.push({
            item: {
              gitObjectType: "tree",
              path: folder,
              isFolder: true,
              url: `${repoUrl()}/items${folder}`,
            },
            changeType: "edit",
          });
        }
        entries.push({
          item: {
            objectId: sha1(`blob:${path}:${commit.id}`),
            gitObjectType: "blob",
            commitId: commit.id,
            path: `/${path}`,
            url: `${repoUrl()}/items/${path}`,
          },
          changeType: "edit",
        });
      }
      return ok({
        changeCounts: { Edit: commit.files.length },
        changes: skipPage(entries, url, 100),
      });
    },
    "GET git/repositories/{repositoryId}/commits/{commitId}/statuses": ({ url, values, q, ok }) => {
      let found = statuses.filter((s) => s.sha === values.commitId?.toLowerCase());
      if (q("latestOnly") === "true") {
        const latest = new Map<string, (typeof found)[number]>();
        for (const s of found) latest.set(`${s.genre}/${s.name}`, s);
        found = [...latest.values()];
      }
      const page = skipPage(found, url, 100).map((s) => ({
        id: s.id,
        state: s.state,
        description: `${s.name} ${s.state}`,
        context: { name: s.name, genre: s.genre },
        creationDate: s.date,
        updatedDate: s.date,
        createdBy: identity("ci-bot@example.com"),
        targetUrl: s.targetUrl,
        url: `${repoUrl()}/commits/${s.sha}/statuses/${s.id}`,
      }));
      return ok(wrapped(page));
    },
  };
}
