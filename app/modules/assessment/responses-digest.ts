import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/hash";

/** What a stored statement response says (who saved it and when are left out: the digest is about content). */
export type DigestStatement = {
  status: string;
  reason: string | null;
  evidenceNote: string | null;
  evidenceUrl: string | null;
  evidenceDate: string | null;
};
export type DigestAnswer = { level: number | null; note: string | null };

/**
 * SHA-256 (hex) over the canonical JSON of every statement response and
 * question answer, keyed by statement and question id. Submission and
 * finalisation record it in their audit event, so the trail proves exactly
 * which responses went to review and were finalised: recompute it from the
 * stored responses (or the responses CSV) and compare.
 */
export function responsesDigest(
  statements: Readonly<Record<string, DigestStatement>>,
  answers: Readonly<Record<string, DigestAnswer>>,
): string {
  const content = {
    statements: Object.fromEntries(
      Object.entries(statements).map(([id, s]) => [
        id,
        { status: s.status, reason: s.reason, evidence: { note: s.evidenceNote, url: s.evidenceUrl, date: s.evidenceDate } },
      ]),
    ),
    questions: Object.fromEntries(Object.entries(answers).map(([id, a]) => [id, { level: a.level, note: a.note }])),
  };
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}
