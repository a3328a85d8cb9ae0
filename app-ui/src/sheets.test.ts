import { describe, expect, it } from "vitest";
import { lastMonth } from "./format";

describe("the report's default month", () => {
  it("is the month before, across a year's turn", () => {
    expect(lastMonth(new Date(2026, 11, 2))).toBe("2026-11");
    expect(lastMonth(new Date(2027, 0, 31))).toBe("2026-12");
  });
});
