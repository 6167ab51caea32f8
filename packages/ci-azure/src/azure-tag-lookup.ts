import { type AzureClient, parseVendor } from "./azure-client.js";
import { refListSchema } from "./azure-schemas.js";

const REFS_LOCATION = "2d874a60-a811-4f62-9c9f-963a6ea0a55b";

/** The ref of tag `name`, peeled, or null. Shared by getTag and listChanges. */
export async function findAzureTag(
  client: AzureClient,
  name: string,
): Promise<{ name: string; objectId: string; sha: string; annotated: boolean } | null> {
  const repo = await client.repo();
  const api = await client.git();
  const wanted = `refs/tags/${name}`;
  let continuationToken: string | undefined;
  do {
    // `filter` is a prefix: "tags/v1" also lists v1.1, v10, … hence the exact match below.
    const page = await client.getPage(api, {
      area: "git",
      locationId: REFS_LOCATION,
      apiVersion: "7.1",
      routeValues: { project: client.project, repositoryId: repo.id },
      query: {
        filter: `tags/${name}`,
        peelTags: true,
        $top: 100,
        ...(continuationToken ? { continuationToken } : {}),
      },
    });
    if (page === null) return null;
    const refs = parseVendor(
      refListSchema,
      page.value,
      `GET git/repositories/${repo.name}/refs?filter=tags/${name}`,
    );
    const ref = refs.find((r) => r.name === wanted);
    if (ref) {
      return {
        name,
        objectId: ref.objectId.toLowerCase(),
        // An annotated tag's ref points at the tag object; peeling gives the commit.
        sha: (ref.peeledObjectId ?? ref.objectId).toLowerCase(),
        annotated: Boolean(ref.peeledObjectId),
      };
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return null;
}
