import { describe, expect, it } from "vitest";
import { refuseTagSigning, unsignedTagsSchema } from "./hosted-tag-signing.js";
import { createFakeSourceControl } from "./testing/fakes/fake-source-control.js";

const live = () => ({ signal: new AbortController().signal });

describe("forge source controls and tag signing", () => {
  it("the option schema accepts only false or nothing", () => {
    const schema = unsignedTagsSchema("GitHub");
    expect(schema.safeParse(undefined).success).toBe(true);
    expect(schema.safeParse(false).success).toBe(true);
    const refused = schema.safeParse("ssh");
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe(
      "GitHub creates release tags through its API and cannot sign them; remove sign, or tag with the git source control (use: git, sign: ssh | gpg), which pushes a signed tag",
    );
  });

  it("programmatic sign makes createAnnotatedTag fail before the forge is called", async () => {
    const inner = createFakeSourceControl({ releaseBranch: "main", tags: {}, changes: [] });
    const refused = refuseTagSigning(inner, "GitLab", "gpg");
    const error = (
      await refused.createAnnotatedTag(
        { name: "v1.0.0", sha: "a".repeat(40), message: "m" },
        live(),
      )
    )._unsafeUnwrapErr();
    expect(error).toMatchObject({ kind: "unsupported", field: "sign" });
    expect((await inner.getTag("v1.0.0", live()))._unsafeUnwrap()).toBeNull();
    expect(refused.name).toBe(inner.name);
    expect(refuseTagSigning(inner, "GitLab", false)).toBe(inner);
  });
});
