import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A person in the demo history. */
interface Person {
  name: string;
  email: string;
}

const PEOPLE = {
  alice: { name: "alice", email: "alice@acme.example" },
  bob: { name: "bob", email: "bob@acme.example" },
  carol: { name: "carol", email: "carol@acme.example" },
  dave: { name: "dave", email: "dave@acme.example" },
  erin: { name: "erin", email: "erin@acme.example" },
  frank: { name: "frank", email: "frank@acme.example" },
  dependabot: {
    name: "dependabot[bot]",
    email: "49699333+dependabot[bot]@users.noreply.github.com",
  },
} satisfies Record<string, Person>;

/** One pull request of the demo history. */
export interface DemoPullRequest {
  number: number;
  branch: string;
  title: string;
  author: Person;
  reviewers: Person[];
  /** Path → content written by the PR. */
  files: Record<string, string>;
  /** Extra body paragraph (e.g. a BREAKING CHANGE note). */
  body?: string;
}

type PersonKey = keyof typeof PEOPLE;

/** One row of the history tables below; `reviewers` are names separated by spaces. */
function pr(
  number: number,
  author: PersonKey,
  reviewers: string,
  branch: string,
  title: string,
  files: Record<string, string>,
  body?: string,
): DemoPullRequest {
  return {
    number,
    branch,
    title,
    author: PEOPLE[author],
    reviewers: reviewers.split(" ").map((r) => PEOPLE[r as PersonKey]),
    files,
    ...(body === undefined ? {} : { body }),
  };
}

// One pull request a row: number, author, reviewers, branch, title, files written, body.
/** Merged before v1.3.0: history the release must NOT list. */
// biome-ignore format: a table reads best one row a line
const BEFORE: DemoPullRequest[] = [
  pr(98, "carol", "alice", "feat/order-history", "feat(account): show order history", { "src/account/orders.ts": "export const pageSize = 20;\n" }),
  pr(99, "bob", "dave", "fix/tax-rounding", "fix(tax): round VAT per line, not per order", { "src/tax/vat.ts": "export const roundPerLine = true;\n" }),
  pr(100, "frank", "erin", "chore/node-20", "chore: run on Node 20", { ".nvmrc": "20\n" }),
];

/** The twelve pull requests of v1.4.0, oldest merge first. */
// biome-ignore format: a table reads best one row a line
export const DEMO_PULL_REQUESTS: DemoPullRequest[] = [
  pr(101, "alice", "bob", "feat/delivery-estimate", "feat(cart): show delivery estimate in the basket", { "src/cart/estimate.ts": "export function estimateDays(zone: string): number {\n  return zone === 'eu' ? 2 : 5;\n}\n", "src/cart/basket.tsx": "export const showEstimate = true;\n" }),
  pr(102, "bob", "alice dave", "fix/auth-retry", "fix(payments): retry card authorisation on gateway timeout", { "src/payments/authorise.ts": "export const maxAttempts = 3;\n" }),
  pr(103, "dependabot", "frank", "dependabot/npm_and_yarn/undici-6.21.1", "chore(deps): bump undici from 6.19.2 to 6.21.1", { "package.json": '{ "name": "checkout", "dependencies": { "undici": "6.21.1" } }\n' }),
  pr(104, "carol", "erin", "docs/refunds", "docs: document the refund flow", { "docs/refunds.md": "# Refunds\n\nRefunds are issued to the original payment method.\n" }),
  pr(105, "dave", "bob carol", "feat/orders-currency", "feat(api)!: require currency on POST /orders", { "src/api/orders.ts": "export const requiredFields = ['items', 'currency'];\n" }, "BREAKING CHANGE: clients must send `currency` (ISO 4217) with every order."),
  pr(106, "alice", "erin", "fix/coupon-quantity", "fix(cart): keep the coupon when the quantity changes", { "src/cart/coupon.ts": "export const keepOnQuantityChange = true;\n" }),
  pr(107, "erin", "alice", "feat/in-stock-first", "feat(search): rank in-stock items first", { "src/search/rank.ts": "export const inStockBoost = 1.5;\n" }),
  pr(108, "frank", "dave", "chore/ci-cache", "chore(ci): cache node_modules between jobs", { ".github/workflows/ci.yml": "name: ci\non: [push]\njobs: {}\n" }),
  pr(109, "carol", "bob", "fix/de-vat-label", "fix(i18n): correct the German VAT label", { "src/i18n/de.json": '{ "vat": "MwSt." }\n' }),
  pr(110, "bob", "alice erin", "feat/apple-pay", "feat(payments): add Apple Pay to checkout", { "src/payments/apple-pay.ts": "export const merchantId = 'merchant.com.acme';\n", "src/checkout/methods.ts": "export const methods = ['card', 'apple-pay'];\n", "src/payments/authorise.ts": "export const maxAttempts = 3;\nexport const wallets = ['apple-pay'];\n" }),
  pr(111, "dave", "carol", "docs/orders-examples", "docs(api): add examples for the orders endpoint", { "docs/api/orders.md": '# POST /orders\n\n```json\n{ "currency": "EUR" }\n```\n' }),
  pr(112, "erin", "bob", "fix/double-submit", "fix(checkout): prevent double submit on slow networks", { "src/checkout/submit.ts": "export const disableWhilePending = true;\n" }),
];

/** What {@link createDemoRepository} made. */
export interface DemoRepository {
  dir: string;
  /** The head of `main`: the sha to release. */
  headSha: string;
  previousTag: "v1.3.0";
  /** The web URL the changelog links to (nothing is fetched from it). */
  remoteUrl: string;
}

/**
 * Builds a realistic repository with the real git CLI: an initial commit, three PR merges,
 * the annotated tag v1.3.0, then the twelve PR merges of v1.4.0 — each a
 * "Merge pull request #N from acme/<branch>" merge commit (GitHub's format) whose body is
 * the conventional-commit title and `Reviewed-by:` trailers, over a feature commit by the
 * PR's author touching real files. Dates are spread over the last two weeks. The
 * repository ignores the user's global git config (no signing prompts).
 */
export async function createDemoRepository(dir: string): Promise<DemoRepository> {
  const startMs = Date.now() - 14 * 24 * 3600_000;
  let tick = 0;
  const baseEnv = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  };
  const git = async (args: string[], who?: Person) => {
    tick += 1;
    const date = new Date(startMs + tick * 47 * 60_000).toISOString();
    const identity = who ?? { name: "GitHub", email: "noreply@github.com" };
    const { stdout } = await run("git", args, {
      cwd: dir,
      env: {
        ...baseEnv,
        GIT_AUTHOR_NAME: identity.name,
        GIT_AUTHOR_EMAIL: identity.email,
        GIT_COMMITTER_NAME: "GitHub",
        GIT_COMMITTER_EMAIL: "noreply@github.com",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  };
  const write = async (files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      const full = join(dir, ...path.split("/"));
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content, "utf8");
    }
  };

  await mkdir(dir, { recursive: true });
  await git(["init", "-q", "--initial-branch=main", "."]);
  // Local identity and no signing, so shipgate's own `git tag -a` works in the demo too.
  await git(["config", "user.name", "shipgate demo"]);
  await git(["config", "user.email", "demo@shipgate.example"]);
  await git(["config", "commit.gpgSign", "false"]);
  await git(["config", "tag.gpgSign", "false"]);
  await write({
    "README.md": "# checkout\n\nThe Acme checkout service.\n",
    "src/index.ts": "export const service = 'checkout';\n",
    ".gitignore": "node_modules/\ndevops/status/*.lock\n",
  });
  await git(["add", "-A"]);
  await git(["commit", "-q", "-m", "chore: initial import"], PEOPLE.frank);

  const merge = async (pr: DemoPullRequest) => {
    await git(["checkout", "-q", "-b", pr.branch, "main"]);
    await write(pr.files);
    await git(["add", "-A"]);
    await git(["commit", "-q", "-m", pr.title, ...(pr.body ? ["-m", pr.body] : [])], pr.author);
    await git(["checkout", "-q", "main"]);
    const trailers = pr.reviewers.map((r) => `Reviewed-by: ${r.name} <${r.email}>`).join("\n");
    await git(
      [
        "merge",
        "-q",
        "--no-ff",
        "--no-edit",
        pr.branch,
        "-m",
        `Merge pull request #${pr.number} from acme/${pr.branch}`,
        "-m",
        pr.body ? `${pr.title}\n\n${pr.body}` : pr.title,
        "-m",
        trailers,
      ],
      pr.author,
    );
    await git(["branch", "-q", "-D", pr.branch]);
  };

  for (const pr of BEFORE) await merge(pr);
  await git(
    ["tag", "-a", "v1.3.0", "-m", "Release v1.3.0 of checkout to production"],
    PEOPLE.frank,
  );
  for (const pr of DEMO_PULL_REQUESTS) await merge(pr);
  const headSha = await git(["rev-parse", "HEAD"]);
  return { dir, headSha, previousTag: "v1.3.0", remoteUrl: "https://github.com/acme/checkout" };
}
