import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatImageReference,
  imageForVersion,
  parseImageReference,
  unknownTemplatePlaceholders,
  versionFromImage,
} from "./image-reference.js";

describe("parseImageReference", () => {
  it("splits registry, repository, tag and digest", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(
      parseImageReference(`registry.example.com:5000/acme/shop:v1.4.0@${digest}`)._unsafeUnwrap(),
    ).toEqual({
      registry: "registry.example.com:5000",
      repository: "acme/shop",
      tag: "v1.4.0",
      digest,
    });
    expect(parseImageReference("nginx")._unsafeUnwrap()).toEqual({
      registry: null,
      repository: "nginx",
      tag: null,
      digest: null,
    });
    expect(parseImageReference("library/nginx:1.27")._unsafeUnwrap().registry).toBeNull();
    expect(parseImageReference("localhost/app:dev")._unsafeUnwrap().registry).toBe("localhost");
    expect(parseImageReference("[::1]:5000/app:v1")._unsafeUnwrap().registry).toBe("[::1]:5000");
  });

  it("rejects what the distribution grammar rejects, saying why", () => {
    const bad: [string, RegExp][] = [
      ["", /empty/],
      ["Acme/Shop:v1", /lowercase/],
      ["registry.example.com/shop:-bad", /not a valid tag/],
      ["registry.example.com/shop:v1@sha256:abc", /not a valid digest/],
      ["registry.example.com//shop:v1", /empty component/],
      ["shop:v1 ", /spaces/],
      [`r.io/${"a".repeat(260)}:v1`, /longer than 255/],
      ["shop__-x:v1", /not a valid repository path component/],
      [`shop:${"v".repeat(129)}`, /not a valid tag/],
    ];
    for (const [ref, why] of bad) {
      const parsed = parseImageReference(ref);
      expect(parsed.isErr(), ref).toBe(true);
      expect(parsed._unsafeUnwrapErr()).toMatch(why);
    }
  });

  it("round-trips every reference it accepts (property)", () => {
    const component = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+){0,2}$/);
    // Without a registry, a first component with a "." would itself be read as a host
    // (as docker does), so the first one never has one.
    const first = fc.stringMatching(/^[a-z0-9]+(?:[_-][a-z0-9]+){0,2}$/);
    const ref = fc.record({
      registry: fc.option(fc.constantFrom("registry.example.com", "localhost:5000", "ghcr.io"), {
        nil: null,
      }),
      repository: fc
        .tuple(first, fc.array(component, { maxLength: 2 }))
        .map(([head, tail]) => [head, ...tail].join("/")),
      tag: fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: null }),
      digest: fc.option(
        fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(ref, (r) => {
        const text = formatImageReference(r);
        expect(parseImageReference(text)._unsafeUnwrap()).toEqual(r);
      }),
    );
  });
});

describe("image templates", () => {
  const values = { version: "v1.4.0", service: "shop", environment: "prod", sha: "f".repeat(40) };
  it("builds the image from a repository or a template", () => {
    expect(imageForVersion({ repository: "registry.example.com/acme/shop" }, values)).toBe(
      "registry.example.com/acme/shop:v1.4.0",
    );
    expect(
      imageForVersion(
        { template: "registry.example.com/{{service}}:{{version}}-{{environment}}" },
        values,
      ),
    ).toBe("registry.example.com/shop:v1.4.0-prod");
  });
  it("names unknown placeholders", () => {
    expect(unknownTemplatePlaceholders("r.io/app:{{tag}}-{{version}}")).toEqual(["tag"]);
  });
  it("recovers the version from an image, by template or by tag", () => {
    const rest = { service: "shop", environment: "prod", sha: values.sha };
    expect(
      versionFromImage(
        "registry.example.com/shop:v1.4.0-prod",
        { template: "registry.example.com/{{service}}:{{version}}-{{environment}}" },
        rest,
      ),
    ).toBe("v1.4.0");
    expect(
      versionFromImage(
        "registry.example.com/other:v2.0.0",
        { repository: "registry.example.com/shop" },
        rest,
      ),
    ).toBe("v2.0.0");
    expect(
      versionFromImage(
        "registry.example.com/other",
        { repository: "registry.example.com/shop" },
        rest,
      ),
    ).toBeNull();
  });
});
