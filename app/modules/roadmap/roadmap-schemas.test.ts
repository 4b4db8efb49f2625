import { describe, expect, it } from "vitest";
import { fieldErrors } from "../../utils/validation";
import { RoadmapGenerateConfirmSchema, RoadmapGenerateSchema, RoadmapItemUpdateSchema, RoadmapPreviewQuerySchema } from "./roadmap-schemas";

const startDateError = (startDate: string) => {
  const result = RoadmapGenerateSchema.safeParse({ startDate });
  return result.success ? undefined : fieldErrors(result.error).startDate;
};

describe("a roadmap's start date (issue 14, #7)", () => {
  it.each([
    ["0000-01-01", "Use a date from 2000 to 2100"],
    ["9999-12-31", "Use a date from 2000 to 2100"],
    ["1999-12-31", "Use a date from 2000 to 2100"],
    ["2101-01-01", "Use a date from 2000 to 2100"],
    ["2027-02-30", "That date does not exist"],
    ["2027-1-1", "Use a date such as 2027-01-01"],
  ])("%s is refused: %s", (startDate, message) => {
    expect(startDateError(startDate)).toBe(message);
    const form = RoadmapGenerateConfirmSchema.safeParse({ assessmentId: "1", replacesRoadmapId: "none", startDate });
    expect(form.success ? undefined : fieldErrors(form.error).startDate).toBe(message);
  });

  it.each(["2000-01-01", "2028-02-29", "2100-12-31"])("%s is accepted", (startDate) => {
    expect(RoadmapGenerateSchema.parse({ startDate }).startDate).toBe(startDate);
  });

  it("the preview's query falls back to the default start for a date out of range", () => {
    expect(RoadmapPreviewQuerySchema.parse({ assessmentId: "3", startDate: "9999-12-31" })).toEqual({
      assessmentId: 3,
      startDate: undefined,
    });
  });
});

describe("an item's due date", () => {
  it.each([
    ["2027-02-30", "That date does not exist"],
    ["tomorrow", "Use a date such as 2027-01-01"],
    ["2101-01-01", "Use a date from 2000 to 2100"],
  ])("%s is refused: %s", (dueDate, message) => {
    const result = RoadmapItemUpdateSchema.safeParse({ dueDate });
    expect(result.success ? undefined : fieldErrors(result.error).dueDate).toBe(message);
  });

  it("takes a real day, a past one too, and leaves it out when empty", () => {
    expect(RoadmapItemUpdateSchema.parse({ dueDate: "2020-03-31" }).dueDate).toBe("2020-03-31");
    expect(RoadmapItemUpdateSchema.parse({ dueDate: "", team: "Ops" }).dueDate).toBeUndefined();
  });
});
