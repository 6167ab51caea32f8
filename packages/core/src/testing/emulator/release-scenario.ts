/** The commits a seeded CI release scenario names, from which its facts follow. */
export interface ReleaseScenarioCommits {
  releaseBranch: string;
  /** The commit the previous tag (`v1.0.0`, and the lightweight `v1.0.0-light`) points at. */
  previous: string;
  toSha: string;
  offBranchSha: string;
  greenSha: string;
  redSha: string;
  pendingSha: string;
}

/** The facts of a seeded CI release scenario, for assertions. */
export interface ReleaseScenarioFacts extends Omit<ReleaseScenarioCommits, "previous"> {
  previousTag: { name: string; sha: string };
  /** A lightweight tag. */
  lightweightTag: { name: string; sha: string };
  /** Change numbers landed after the previous tag, oldest first. */
  expectedNumbers: number[];
  /** A well-formed sha that does not exist. */
  missingSha: string;
}

/**
 * The facts of the release scenario the CI emulators seed alike: the previous tag `v1.0.0`
 * (and its lightweight twin `v1.0.0-light`) on `previous`, changes 2, 3 and 4 after it.
 */
export function releaseScenarioFacts(commits: ReleaseScenarioCommits): ReleaseScenarioFacts {
  const { previous, ...rest } = commits;
  return {
    ...rest,
    previousTag: { name: "v1.0.0", sha: previous },
    lightweightTag: { name: "v1.0.0-light", sha: previous },
    expectedNumbers: [2, 3, 4],
    missingSha: "0123456789abcdef0123456789abcdef01234567",
  };
}

/**
 * Seeds a scenario and creates a provider over it: `extra` (or `extra(scenario)`) adds to or
 * replaces the options `options` builds.
 */
export function seededProvider<Scenario, Options, Provider>(
  seed: () => Scenario,
  options: (extra: Partial<Options>) => Options,
  create: (options: Options) => Provider,
  extra: Partial<Options> | ((s: Scenario) => Partial<Options>),
): { s: Scenario; provider: Provider } {
  const s = seed();
  return { s, provider: create(options(typeof extra === "function" ? extra(s) : extra)) };
}
