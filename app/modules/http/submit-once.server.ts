import { createHash, randomBytes } from "node:crypto";
import { data, redirect } from "@remix-run/node";
import type { z, ZodTypeAny } from "zod";
import { readFormData, runFormAction, type FormActionResult } from "../../utils/form-action.server";
import { SUBMISSION_FIELD } from "../../utils/submission";
import type { SpooledUpload } from "../../utils/upload.server";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  peekIdempotencyKey,
  releaseIdempotencyKey,
  type StoredAnswer,
} from "./idempotency.server";

/**
 * Forms that create something carry a one-time token (`SUBMISSION_FIELD`, a
 * new one with every page the root loader serves), so sending the same
 * submission again, by a double click, a resent request or the back button,
 * answers with the first result instead of creating a second thing.
 */

/** A fresh one-time token for the forms of a page (128 random bits). */
export function newSubmissionToken(): string {
  return randomBytes(16).toString("base64url");
}

type FormAnswer = ReturnType<typeof data<FormActionResult>>;
/** Any action answer made with `data()`: only a `FormActionResult` with `ok` is kept for repeats. */
type DataAnswer = ReturnType<typeof data<unknown>>;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** The notice of a replayed answer whose one-time value (a new API token) only the first sending showed. */
export const SHOWN_ONCE =
  "Done already: this form was sent twice, and what is shown only once went to the first sending. If you did not copy it, revoke it and create another.";
/** How long a repeat waits for the first submission to finish before it gives up (409). */
const WAIT_FOR_FIRST_MS = 15_000;
const POLL_MS = 50;

/** What a submission is read from: a parsed form, or a multipart upload spooled to disk (`spoolMultipartUpload`). */
export type Submission = FormData | SpooledUpload;

/** A submission's fields in the order sent, files as `file:name:type:size` (an upload's spooled file has no type). */
function fieldsOf(submission: Submission): Array<[string, string]> {
  if (submission instanceof FormData) {
    return [...submission].map(([name, value]) => [
      name,
      typeof value === "string" ? value : `file:${value.name}:${value.type}:${value.size}`,
    ]);
  }
  const fields: Array<[string, string]> = Object.entries(submission.fields);
  if (submission.file) fields.push(["file", `file:${submission.file.name}::${submission.file.size}`]);
  return fields;
}

/**
 * The same submission: the same fields in the same order (files by name, type
 * and size), the token aside. Passwords are left out: a fast digest of one
 * must not be stored.
 */
function formDigest(pathname: string, fields: Array<[string, string]>): string {
  const kept = fields.filter(([name]) => name !== SUBMISSION_FIELD && !/password/i.test(name));
  return createHash("sha256")
    .update(JSON.stringify([pathname, kept]))
    .digest("hex");
}

function refusal(status: 409 | 422, message: string): FormAnswer {
  return data<FormActionResult>({ ok: false, errors: { form: message } }, { status });
}

/**
 * The first answer again: its redirect; a JSON response as it was (kept with
 * its content type); else the form notice it was.
 */
function replay(answer: StoredAnswer): FormAnswer | Response {
  if (answer.status >= 300 && answer.status < 400) throw redirect(answer.headers.location ?? "/", answer.status);
  if (answer.headers["content-type"]) return new Response(answer.body, { status: answer.status, headers: answer.headers });
  return data<FormActionResult>(JSON.parse(answer.body) as FormActionResult, { status: answer.status });
}

function isFormSuccess(value: unknown): value is FormAnswer {
  if (typeof value !== "object" || value === null || !("data" in value) || !("init" in value)) return false;
  const result = value.data as Partial<FormActionResult> | null;
  return typeof result === "object" && result !== null && result.ok === true;
}

/** A redirect to keep (thrown by the action, or returned as an upload's answer), or undefined. */
function redirectOf(answer: unknown): StoredAnswer | undefined {
  if (!(answer instanceof Response) || answer.status < 300 || answer.status >= 400 || !answer.headers.has("location")) return undefined;
  return { status: answer.status, headers: { location: answer.headers.get("location")! }, body: "" };
}

/**
 * Runs a form action at most once per one-time token of this person, form
 * and intent. A repeat of the same submission gets the first one's answer (its
 * redirect, its JSON, or its notice); one arriving while the first still runs
 * waits for it. The same token with other values is refused (422): the form
 * was sent already. Only successes are kept: a refused submission (invalid
 * values, a conflict) leaves its token free, so the corrected form can be sent
 * with it. A post without a token runs as before.
 *
 * `shownOnce` is what a repeat says in place of the one-time value (a
 * `reveal`: a new API token, an invitation link) only the first answer showed.
 */
export async function submitOnce<A extends DataAnswer | Response>(
  request: Request,
  userId: number,
  submission: Submission,
  run: () => Promise<A>,
  shownOnce: string = SHOWN_ONCE,
): Promise<A | FormAnswer> {
  const fields = fieldsOf(submission);
  const token = fields.find(([name]) => name === SUBMISSION_FIELD)?.[1];
  if (token === undefined || !TOKEN_PATTERN.test(token)) return run();
  const pathname = new URL(request.url).pathname;
  const intent = fields.find(([name]) => name === "intent")?.[1] ?? "";
  const scope = `form:${userId}`;
  const key = `${token} ${pathname} ${intent}`;
  const digest = formDigest(pathname, fields);

  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const claim = claimIdempotencyKey(scope, key);
    if (claim.state === "done") {
      if (claim.requestHash !== digest) {
        return refusal(422, "This form was already sent, with other values. Open the page again to send a new one.");
      }
      // A JSON answer is replayed only where the first was one (the same path and intent), so it is an A.
      return replay(claim.answer) as A | FormAnswer;
    }
    if (claim.state === "claimed") return runClaimed(claim.id, digest, run, shownOnce);
    // Wait for the first, reading (no write lock) until it is done or gone, then look again.
    do {
      if (Date.now() > deadline) return refusal(409, "This form is still being sent. Wait a moment, then open the page again.");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    } while (peekIdempotencyKey(scope, key).state === "running");
  }
}

async function runClaimed<A extends DataAnswer | Response>(
  id: number,
  digest: string,
  run: () => Promise<A>,
  shownOnce: string,
): Promise<A> {
  let answer: A;
  try {
    answer = await run();
  } catch (thrown) {
    const redirected = redirectOf(thrown);
    if (redirected) completeIdempotencyKey(id, digest, redirected);
    else releaseIdempotencyKey(id);
    throw thrown;
  }
  const kept = await keptAnswer(answer, shownOnce);
  if (kept) completeIdempotencyKey(id, digest, kept);
  else releaseIdempotencyKey(id);
  return answer;
}

/** What a success keeps for its repeats; undefined for a refusal, which keeps nothing. */
async function keptAnswer(answer: DataAnswer | Response, shownOnce: string): Promise<StoredAnswer | undefined> {
  if (answer instanceof Response) {
    const redirected = redirectOf(answer);
    if (redirected) return redirected;
    const contentType = answer.headers.get("content-type") ?? "";
    if (!answer.ok || !contentType.includes("application/json")) return undefined;
    return { status: answer.status, headers: { "content-type": contentType }, body: await answer.clone().text() };
  }
  if (!isFormSuccess(answer)) return undefined;
  const status = answer.init?.status ?? 200;
  if (status < 200 || status >= 300) return undefined;
  // A one-time value (a new API token, an invitation link) is never stored: a replay says what happened without it.
  const { reveal, ...shown } = answer.data;
  return { status, headers: {}, body: JSON.stringify(reveal === undefined ? shown : { ...shown, notice: shownOnce }) };
}

/**
 * `runFormAction` for a form that creates something: reads the form and runs
 * it at most once per one-time token (`submitOnce`).
 */
export async function runFormActionOnce<S extends ZodTypeAny, R>(
  request: Request,
  userId: number,
  schema: S,
  run: (input: z.output<S>) => R | Promise<R>,
  success: Parameters<typeof runFormAction<S, R>>[3],
  shownOnce?: string,
): Promise<FormAnswer> {
  const formData = await readFormData(request);
  return submitOnce(request, userId, formData, () => runFormAction(formData, schema, run, success), shownOnce);
}
