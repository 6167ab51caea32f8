import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  type DocumentNode,
  type ExecutionResult,
  execute,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  type IntrospectionQuery,
  Kind,
  parse,
  type SelectionSetNode,
  type ValueNode,
  validate,
} from "graphql";
import type {
  EmulatedCommit,
  EmulatedPullRequest,
  EmulatedRepository,
  EmulatedReview,
} from "./github-emulator-state.js";
import { packageFile } from "./package-file.js";

/** GitHub's limits on one GraphQL query. */
const MAX_PAGE_SIZE = 100;
const MAX_NODES = 500_000;

let schemaCache: GraphQLSchema | undefined;

/**
 * GitHub's published GraphQL schema (`@octokit/graphql-schema`), built once per process.
 * Queries are validated and executed against it, so a field GitHub does not have, a wrong
 * argument type or a null in a non-null field fails exactly as it would on GitHub.
 */
export function gitHubGraphqlSchema(): GraphQLSchema {
  if (!schemaCache) {
    const json = JSON.parse(
      readFileSync(packageFile("@octokit/graphql-schema", "schema.json"), "utf8"),
    ) as IntrospectionQuery | { data: IntrospectionQuery };
    schemaCache = buildClientSchema("data" in json ? json.data : json);
  }
  return schemaCache;
}

/** A GitHub-style GraphQL error (GitHub puts `type` beside `message`). */
class GitHubGraphqlError extends GraphQLError {
  constructor(
    message: string,
    readonly githubType: string,
  ) {
    super(message);
  }
}

interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

function cursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString("base64");
}

function indexOf(c: string | null | undefined): number | undefined {
  if (!c) return undefined;
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(c, "base64").toString("utf8"));
  if (!match)
    throw new GitHubGraphqlError(
      `\`${c}\` does not appear to be a valid cursor.`,
      "INVALID_CURSOR_ARGUMENTS",
    );
  return Number(match[1]);
}

/** A relay connection over `items`, with GitHub's rules on `first`/`last`. */
function connection<T>(items: T[], args: PageArgs, name: string) {
  if (args.first == null && args.last == null) {
    throw new GitHubGraphqlError(
      `You must provide a \`first\` or \`last\` value to properly paginate the \`${name}\` connection.`,
      "MISSING_PAGINATION_BOUNDARIES",
    );
  }
  for (const [key, value] of [
    ["first", args.first],
    ["last", args.last],
  ] as const) {
    if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
      throw new GitHubGraphqlError(
        `Requesting ${value} records on the \`${name}\` connection exceeds the \`${key}\` limit of ${MAX_PAGE_SIZE} records.`,
        "EXCESSIVE_PAGINATION",
      );
    }
  }
  let start = 0;
  let end = items.length;
  const after = indexOf(args.after);
  const before = indexOf(args.before);
  if (after !== undefined) start = after + 1;
  if (before !== undefined) end = Math.min(end, before);
  if (args.first != null) end = Math.min(end, start + args.first);
  if (args.last != null) start = Math.max(start, end - args.last);
  const slice = items.slice(start, end);
  return {
    totalCount: items.length,
    nodes: slice,
    edges: slice.map((node, i) => ({ node, cursor: cursor(start + i) })),
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursor(start) : null,
      endCursor: slice.length > 0 ? cursor(end - 1) : null,
    },
  };
}

/**
 * GitHub's node limit: every connection may return up to `first`/`last` nodes per parent,
 * and the sum over the query of those products may not exceed 500,000.
 */
export function countPotentialNodes(
  document: DocumentNode,
  variables: Record<string, unknown> = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const numberOf = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const v = variables[value.name.value];
      return typeof v === "number" ? v : undefined;
    }
    return undefined;
  };
  let total = 0;
  const walk = (set: SelectionSetNode | undefined, multiplier: number, depth: number) => {
    if (!set || depth > 50) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        walk(fragments.get(selection.name.value)?.selectionSet, multiplier, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, multiplier, depth + 1);
      } else {
        const limit = selection.arguments
          ?.filter((a) => a.name.value === "first" || a.name.value === "last")
          .map((a) => numberOf(a.value))
          .find((n) => n !== undefined);
        if (limit !== undefined) {
          total += multiplier * limit;
          walk(selection.selectionSet, multiplier * limit, depth + 1);
        } else {
          walk(selection.selectionSet, multiplier, depth + 1);
        }
      }
    }
  };
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION) walk(def.selectionSet, 1, 0);
  }
  return total;
}

/** What one GraphQL request returned, and whether the query itself was valid. */
export interface GraphqlOutcome {
  body: Record<string, unknown>;
  /** Problems with the query as GitHub's schema sees it (validation, limits). */
  queryProblems: string[];
  /** Problems with the emulator's answer (a null in a non-null field and the like). */
  responseProblems: string[];
}

/** Runs one GraphQL request against the emulated repository, as GitHub would. */
export async function runGraphql(
  repo: EmulatedRepository,
  web: string,
  request: { query?: unknown; variables?: unknown; operationName?: unknown },
): Promise<GraphqlOutcome> {
  const schema = gitHubGraphqlSchema();
  if (typeof request.query !== "string") {
    return {
      body: { errors: [{ message: "A query attribute must be specified and must be a string." }] },
      queryProblems: ["missing query"],
      responseProblems: [],
    };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { body: { errors: [{ message }] }, queryProblems: [message], responseProblems: [] };
  }
  const invalid = validate(schema, document);
  if (invalid.length > 0) {
    return {
      body: { errors: invalid.map((e) => e.toJSON()) },
      queryProblems: invalid.map((e) => e.message),
      responseProblems: [],
    };
  }
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const nodes = countPotentialNodes(document, variables);
  if (nodes > MAX_NODES) {
    const message = `This query requests up to ${nodes} possible nodes which exceeds the maximum limit of ${MAX_NODES}.`;
    return {
      body: { errors: [{ type: "MAX_NODE_LIMIT_EXCEEDED", message }] },
      queryProblems: [message],
      responseProblems: [],
    };
  }
  const graph = new GraphBuilder(repo, web);
  const result: ExecutionResult = await execute({
    schema,
    document,
    rootValue: graph.root(nodes),
    variableValues: variables,
    operationName: typeof request.operationName === "string" ? request.operationName : undefined,
  });
  const errors = (result.errors ?? []).map((e) => {
    const original = e.originalError;
    const json = e.toJSON() as unknown as Record<string, unknown>;
    if (original instanceof GitHubGraphqlError) return { type: original.githubType, ...json };
    return json;
  });
  const responseProblems = (result.errors ?? [])
    .filter((e) => !(e.originalError instanceof GitHubGraphqlError))
    .map((e) => `${e.path?.join(".") ?? ""}: ${e.message}`);
  const body: Record<string, unknown> = { data: result.data ?? null };
  if (errors.length > 0) body.errors = errors;
  return { body, queryProblems: [], responseProblems };
}

/** Lazily builds GitHub GraphQL objects over the emulated repository. */
class GraphBuilder {
  constructor(
    private readonly repo: EmulatedRepository,
    private readonly web: string,
  ) {}

  private get repoWeb(): string {
    return `${this.web}/${this.repo.owner}/${this.repo.name}`;
  }

  root(nodes: number) {
    return {
      repository: ({ owner, name }: { owner: string; name: string }) => {
        if (
          owner.toLowerCase() !== this.repo.owner.toLowerCase() ||
          name.toLowerCase() !== this.repo.name.toLowerCase()
        ) {
          throw new GitHubGraphqlError(
            `Could not resolve to a Repository with the name '${owner}/${name}'.`,
            "NOT_FOUND",
          );
        }
        return this.repository();
      },
      node: ({ id }: { id: string }) => this.node(id),
      nodes: ({ ids }: { ids: string[] }) => ids.map((id) => this.node(id)),
      rateLimit: () => ({
        cost: Math.max(1, Math.ceil(nodes / 5000)),
        limit: 5000,
        nodeCount: nodes,
        remaining: 4999,
        resetAt: new Date(Date.now() + 3_600_000).toISOString(),
        used: 1,
      }),
    };
  }

  private node(id: string) {
    const pr = [...this.repo.pullRequests.values()].find((p) => p.nodeId === id);
    if (!pr) {
      throw new GitHubGraphqlError(
        `Could not resolve to a node with the global id of '${id}'`,
        "NOT_FOUND",
      );
    }
    return this.pullRequest(pr);
  }

  private repository() {
    return {
      __typename: "Repository",
      id: Buffer.from(`Repository:${this.repo.owner}/${this.repo.name}`).toString("base64"),
      name: this.repo.name,
      nameWithOwner: `${this.repo.owner}/${this.repo.name}`,
      url: this.repoWeb,
      object: ({ oid, expression }: { oid?: string; expression?: string }) => {
        const sha = oid ?? (expression ? this.repo.resolveCommit(expression) : undefined);
        const commit = sha ? this.repo.commits.get(sha) : undefined;
        return commit ? this.commit(commit) : null;
      },
      pullRequest: ({ number }: { number: number }) => {
        const pr = this.repo.pullRequests.get(number);
        if (!pr) {
          throw new GitHubGraphqlError(
            `Could not resolve to a PullRequest with the number of ${number}.`,
            "NOT_FOUND",
          );
        }
        return this.pullRequest(pr);
      },
    };
  }

  private commit(c: EmulatedCommit) {
    return {
      __typename: "Commit",
      id: Buffer.from(`Commit:${c.sha}`).toString("base64"),
      oid: c.sha,
      abbreviatedOid: c.sha.slice(0, 7),
      message: c.message,
      messageHeadline: c.message.split("\n")[0],
      committedDate: c.date,
      url: `${this.repoWeb}/commit/${c.sha}`,
      parents: (args: PageArgs) =>
        connection(
          c.parents.map((p) => this.commit(this.repo.commits.get(p)!)),
          args,
          "parents",
        ),
      associatedPullRequests: (args: PageArgs) =>
        connection(
          this.repo.pullRequestsForCommit(c.sha).map((pr) => this.pullRequest(pr)),
          args,
          "associatedPullRequests",
        ),
    };
  }

  private actor(login: string) {
    return {
      __typename: "User",
      login,
      url: `${this.web}/${login}`,
      resourcePath: `/${login}`,
      avatarUrl: `${this.web}/avatars/u/${this.repo.userId(login)}?v=4`,
    };
  }

  private pullRequest(pr: EmulatedPullRequest) {
    const url = `${this.repoWeb}/pull/${pr.number}`;
    return {
      __typename: "PullRequest",
      id: pr.nodeId,
      number: pr.number,
      title: pr.title,
      url,
      permalink: url,
      state: pr.state,
      merged: pr.state === "MERGED",
      mergedAt: pr.mergedAt,
      createdAt: pr.createdAt,
      baseRefName: pr.baseRef,
      author: this.actor(pr.author),
      mergeCommit: pr.mergeCommitSha
        ? this.commit(this.repo.commits.get(pr.mergeCommitSha)!)
        : null,
      labels: (args: PageArgs) =>
        connection(
          pr.labels.map((name) => ({
            __typename: "Label",
            id: Buffer.from(`Label:${name}`).toString("base64"),
            name,
            color: "d73a4a",
            isDefault: false,
            url: `${this.repoWeb}/labels/${encodeURIComponent(name)}`,
          })),
          args,
          "labels",
        ),
      reviews: (args: PageArgs & { states?: EmulatedReview["state"][]; author?: string }) =>
        connection(
          pr.reviews
            .filter((r) => !args.states || args.states.includes(r.state))
            .filter((r) => !args.author || r.user === args.author)
            .map((r) => this.review(pr, r)),
          args,
          "reviews",
        ),
      files: (args: PageArgs) =>
        connection(
          pr.files.map((path) => ({
            __typename: "PullRequestChangedFile",
            path,
            additions: 1,
            deletions: 0,
            changeType: "MODIFIED",
            viewerViewedState: "UNVIEWED",
          })),
          args,
          "files",
        ),
    };
  }

  private review(pr: EmulatedPullRequest, r: EmulatedReview) {
    return {
      __typename: "PullRequestReview",
      id: Buffer.from(`PullRequestReview:${r.id}`).toString("base64"),
      author: this.actor(r.user),
      state: r.state,
      body: r.body,
      submittedAt: r.submittedAt,
      createdAt: r.submittedAt,
      url: `${this.repoWeb}/pull/${pr.number}#pullrequestreview-${r.id}`,
    };
  }
}
