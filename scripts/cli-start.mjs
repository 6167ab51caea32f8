// How long `shipgate --help` and `shipgate --version` take, whole process, against a bare
// `node -e 0`: the runs are interleaved (so a busy machine slows all three alike) and the
// median of each is compared. Used by `pnpm bench`; `node scripts/cli-start.mjs` alone too.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
export const CLI_BIN = join(root, "packages/cli/dist/bin.js");

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

function timeRun(args) {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}`);
  return ms;
}

/** Median wall time (ms) of each command and its ratio to `node -e 0`. */
export function measureCliStart({ runs = 21 } = {}) {
  const cases = {
    "node -e 0": ["-e", "0"],
    "shipgate --help": [CLI_BIN, "--help"],
    "shipgate --version": [CLI_BIN, "--version"],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const args of Object.values(cases)) timeRun(args); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(cases)) times[name].push(timeRun(args));
  }
  const baseline = median(times["node -e 0"]);
  const help = median(times["shipgate --help"]);
  const version = median(times["shipgate --version"]);
  return {
    runs,
    baselineMs: baseline,
    helpMs: help,
    versionMs: version,
    helpRatio: help / baseline,
    versionRatio: version / baseline,
  };
}

/** One line for the bench output. */
export function formatCliStart(m) {
  const ratio = Math.max(m.helpRatio, m.versionRatio);
  return `cli: start, median of ${m.runs} whole-process runs: node -e 0 = ${m.baselineMs.toFixed(1)} ms, shipgate --help = ${m.helpMs.toFixed(1)} ms (${m.helpRatio.toFixed(2)}×), shipgate --version = ${m.versionMs.toFixed(1)} ms (${m.versionRatio.toFixed(2)}×) → ratio ${ratio.toFixed(2)} (target ≤ 1.5: ${ratio <= 1.5 ? "met" : "MISSED"})`;
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  console.log(formatCliStart(measureCliStart()));
}
