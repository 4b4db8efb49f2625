import type { Framework } from "../framework/framework-schema";

/**
 * Evidence is dated when it was made, so never after today. One rule for
 * saving an answer (`StatementResponseSchema`) and for finalising (an answer
 * stored before the rule, or under another clock, must not be frozen into a
 * finalised assessment). Pure: the caller passes the clock.
 */

/** What a statement whose evidence is dated after today is told, when saved and when finalised. */
export const FUTURE_EVIDENCE_MESSAGE = "Evidence cannot be dated in the future";

/** The furthest ahead of UTC any place's clock runs (UTC+14, Kiribati's Line Islands). */
const EARLIEST_TIME_ZONE_MS = 14 * 3_600_000;

/** The latest day evidence may carry: today anywhere on Earth, i.e. the date in UTC+14 ("YYYY-MM-DD"). */
export function latestEvidenceDay(now: Date = new Date()): string {
  return new Date(now.getTime() + EARLIEST_TIME_ZONE_MS).toISOString().slice(0, 10);
}

/** Whether a day ("YYYY-MM-DD") is after today by the rule above. */
export function isFutureEvidenceDay(day: string, now: Date = new Date()): boolean {
  return day.trim() > latestEvidenceDay(now);
}

export type FutureDatedEvidence = {
  componentId: string;
  componentName: string;
  statementId: string;
  statementText: string;
  date: string;
};

type StoredEvidence = { evidence?: { date?: string | null } | null } | undefined;

/**
 * The framework's statements, in its order, whose stored evidence is dated
 * after today (`responses` by statement id, as an assessment's detail holds them).
 */
export function futureDatedEvidence(
  framework: Pick<Framework, "components">,
  responses: Readonly<Record<string, StoredEvidence>>,
  now: Date = new Date(),
): FutureDatedEvidence[] {
  const found: FutureDatedEvidence[] = [];
  for (const component of framework.components) {
    for (const statement of component.capabilities) {
      const date = responses[statement.id]?.evidence?.date;
      if (date && isFutureEvidenceDay(date, now)) {
        found.push({
          componentId: component.id,
          componentName: component.name,
          statementId: statement.id,
          statementText: statement.text,
          date,
        });
      }
    }
  }
  return found;
}

/** Where a finalisation refusal names a statement's evidence date: its key in the assessment's JSON (`statements.<id>.evidence.date`). */
export const evidenceDatePath = (statementId: string) => `statements.${statementId}.evidence.date`;

/** The refusal to finalise while `found` is not empty: a sentence naming how many, and one issue per statement. */
export function futureEvidenceRefusal(found: readonly FutureDatedEvidence[]) {
  const count = found.length === 1 ? "1 statement" : `${found.length} statements`;
  return {
    message: `${FUTURE_EVIDENCE_MESSAGE}: correct the evidence date of ${count} before finalising`,
    issues: found.map((f) => ({
      path: evidenceDatePath(f.statementId),
      message: `${FUTURE_EVIDENCE_MESSAGE} (${f.componentName}, “${f.statementText}”: ${f.date})`,
    })),
  };
}
