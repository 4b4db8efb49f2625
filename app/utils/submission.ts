/**
 * The hidden field that carries a form's one-time token (see
 * app/modules/http/submit-once.server.ts and app/components/submit-once.tsx).
 */
export const SUBMISSION_FIELD = "submissionToken";
