#!/usr/bin/env node
// The action's entry point. Finds the @shipgate/cli the project installed (walking up from
// the working directory, as Node resolves packages), then hands over to its
// `runGitHubAction`: the summary, outputs and exit code are the CLI's own code, versioned
// with it. No dependency of its own, so the action needs no build or install step.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

function findCli(from) {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, "node_modules", "@shipgate", "cli", "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8"));
      const root = dirname(manifest);
      const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.shipgate;
      return { bin: join(root, bin), library: join(root, pkg.exports["."].import) };
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const cli = findCli(process.cwd());
if (!cli) {
  console.log(
    "::error title=shipgate::@shipgate/cli is not installed here: add it to the project (npm install --save-dev @shipgate/cli, with the adapters shipgate.yaml names) and install before this step",
  );
  process.exit(1);
}
const { runGitHubAction } = await import(pathToFileURL(cli.library).href);
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
process.exitCode = await runGitHubAction({ cliBin: cli.bin, io });
