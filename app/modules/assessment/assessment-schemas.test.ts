import { describe, expect, it } from "vitest";
import { fieldErrors } from "../../utils/validation";
import { AssessmentCreateSchema, AssessmentResponsesSchema, StatementResponseSchema } from "./assessment-schemas";

describe("assessment periods and evidence dates stay within range (issue 14, #7)", () => {
  it.each(["0000-Q1", "9999-Q4", "1999-Q4", "2101-Q1"])("the period %s is refused", (period) => {
    const result = AssessmentCreateSchema.safeParse({ period });
    expect(result.success ? undefined : fieldErrors(result.error).period).toBe("Use a quarter from 2000-Q1 to 2100-Q4");
  });

  it.each(["2000-Q1", "2026-q4", "2100-Q4"])("the period %s is accepted", (period) => {
    expect(AssessmentCreateSchema.parse({ period }).period).toBe(period.toUpperCase());
  });

  it.each([
    ["0000-01-01", "Use a date from 2000 to 2100"],
    ["2026-02-30", "That date does not exist"],
  ])("the evidence date %s is refused", (date, message) => {
    const result = StatementResponseSchema.safeParse({ id: "s1", status: "in_place", evidence: { date } });
    expect(result.success ? undefined : fieldErrors(result.error)["evidence.date"]).toBe(message);
  });

  it("refuses evidence dated after today, and takes today's", () => {
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const dated = (date: string) => StatementResponseSchema.safeParse({ id: "s1", status: "in_place", evidence: { date } });
    for (const date of ["2099-01-01", day(3)]) {
      const result = dated(date);
      expect(result.success ? undefined : fieldErrors(result.error)["evidence.date"], date).toBe("Evidence cannot be dated in the future");
    }
    expect(dated(day(0)).success).toBe(true);
    expect(dated("2026-09-30").success).toBe(true);
  });
});

describe("a save names each statement and question once", () => {
  it("refuses a statement or question listed twice, at the second one", () => {
    const result = AssessmentResponsesSchema.safeParse({
      capabilities: [
        { id: "mlops.l2.1", status: "in_place" },
        { id: "mlops.l2.1", status: "none" },
      ],
      questions: [
        { id: "q1", level: 2 },
        { id: "q1", level: 3 },
      ],
    });
    expect(result.success ? {} : fieldErrors(result.error)).toEqual({
      "capabilities.1.id": 'Statement "mlops.l2.1" is listed twice (first at 0)',
      "questions.1.id": 'Question "q1" is listed twice (first at 0)',
    });
  });
});
