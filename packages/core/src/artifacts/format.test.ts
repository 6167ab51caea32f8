import { describe, expect, it } from "vitest";
import { cell, oneLine } from "./format.js";

describe("oneLine", () => {
  it("joins lines with one space, dropping the spaces around each break", () => {
    expect(oneLine("fix: rounding  \r\n\n   of totals\rin carts")).toBe(
      "fix: rounding of totals in carts",
    );
  });

  it("leaves text without a line break as it is, spaces and all", () => {
    expect(oneLine("  two  spaces  ")).toBe("  two  spaces  ");
  });
});

describe("cell", () => {
  it("escapes pipes and line breaks, and shows nothing as a dash", () => {
    expect(cell("a|b\nc")).toBe("a\\|b c");
    expect(cell(null)).toBe("—");
    expect(cell("")).toBe("—");
  });
});
