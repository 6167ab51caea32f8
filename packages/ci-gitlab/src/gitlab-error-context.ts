/** Facts the transport puts into error hints (never the token itself). */
export interface GitLabErrorContext {
  /** The project as configured (`acme/shop` or `42`). */
  project: string;
  /** Name of the environment variable the token came from, when known. */
  tokenEnv?: string;
}
