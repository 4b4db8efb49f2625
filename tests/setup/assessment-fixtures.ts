/**
 * The maturity framework as its file says, and an assessment as the server's
 * database holds it: shared by the assessment and roadmap specs in the browser
 * and the API tests. The framework is read from its file, not through the
 * app's framework module, which imports JSON that Playwright's loader cannot.
 */
import fs from "node:fs";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { assessmentAnswers, assessmentEvidenceNotes, assessments, assessmentStatements } from "../../db/schema";

export type FrameworkFile = {
  version: string;
  components: Array<{ id: string; name: string; capabilities: Array<{ id: string; level: number; text: string }> }>;
  questions: Array<{ id: string; componentId: string; number: number; title: string }>;
};

/** Version 1 of the Technology & Operations framework (`content/technology-operations/v1.json`). */
export const FRAMEWORK = JSON.parse(
  fs.readFileSync(new URL("../../content/technology-operations/v1.json", import.meta.url), "utf8"),
) as FrameworkFile;

/** The ids of a component's statements at one level. */
export const statementsAt = (componentId: string, level: number): string[] =>
  FRAMEWORK.components
    .find((c) => c.id === componentId)!
    .capabilities.filter((s) => s.level === level)
    .map((s) => s.id);

/** What the server's database holds for one assessment: its row, and its statements and answers by id. */
export function storedAssessment(assessmentId: number) {
  const db = getDb();
  const row = db.select().from(assessments).where(eq(assessments.id, assessmentId)).get()!;
  const statements = Object.fromEntries(
    db
      .select()
      .from(assessmentStatements)
      .where(eq(assessmentStatements.assessmentId, assessmentId))
      .all()
      .map((s) => [s.statementId, s]),
  );
  const answers = Object.fromEntries(
    db
      .select()
      .from(assessmentAnswers)
      .where(eq(assessmentAnswers.assessmentId, assessmentId))
      .all()
      .map((a) => [a.questionId, a]),
  );
  const notes = db
    .select()
    .from(assessmentEvidenceNotes)
    .where(eq(assessmentEvidenceNotes.assessmentId, assessmentId))
    .orderBy(assessmentEvidenceNotes.id)
    .all();
  return { ...row, justifications: JSON.parse(row.justifications) as Record<string, string>, statements, answers, notes };
}
