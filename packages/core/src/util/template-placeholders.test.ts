import { describe, expect, it } from "vitest";
import { unknownTemplatePlaceholders } from "./template-placeholders.js";

describe("unknownTemplatePlaceholders", () => {
  it("names each unknown placeholder once, in order, spaces inside the braces allowed", () => {
    expect(
      unknownTemplatePlaceholders("{{ env }}-{{track}}/{{env}}/{{zone}}", ["service", "track"]),
    ).toEqual(["env", "zone"]);
    expect(unknownTemplatePlaceholders("{{service}} {x}", ["service"])).toEqual([]);
  });
});
