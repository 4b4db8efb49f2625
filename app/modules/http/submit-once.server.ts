import { createHash, randomBytes } from "node:crypto";
import { data, redirect } from "@remix-run/node";
import type { z, ZodTypeAny } from "zod";
import { readFormData, runFormAction, type FormActionResult } from "../../utils/form-action.server";
import { SUBMISSION_FIELD } from "../../utils/submission";
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

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** The notice of a replayed answer whose one-time value (a new API token) only the first sending showed. */
export const SHOWN_ONCE =
  "Done already: this form was sent twice, and what is shown only once went to the first sending. If you did not copy it, revoke it and create another.";
/** How long a repeat waits for the first submission to finish before it gives up (409). */
const WAIT_FOR_FIRST_MS = 15_000;
const POLL_MS = 50;

/**
 * The same submission: the same fields in the same order (files by name, type
 * and size), the token aside. Passwords are left out: a fast digest of one
 * must not be stored.
 */
function formDigest(pathname: string, formData: FormData): string {
  const fields: string[][] = [];
  for (const [name, value] of formData) {
    if (name === SUBMISSION_FIELD || /password/i.test(name)) continue;
    fields.push([name, typeof value === "string" ? value : `file:${value.name}:${value.type}:${value.size}`]);
  }
  return createHash("sha256")
    .update(JSON.stringify([pathname, fields]))
    .digest("hex");
}

function refusal(status: 409 | 422, message: string): FormAnswer {
  return data<FormActionResult>({ ok: false, errors: { form: message } }, { status });
}

function replay(answer: StoredAnswer): FormAnswer {
  if (answer.status >= 300 && answer.status < 400) throw redirect(answer.headers.location ?? "/", answer.status);
  return data<FormActionResult>(JSON.parse(answer.body) as FormActionResult, { status: answer.status });
}

function isDataAnswer(value: unknown): value is FormAnswer {
  return typeof value === "object" && value !== null && "data" in value && "init" in value;
}

/**
 * Runs a form action at most once per one-time token of this person, form
 * and intent. A repeat of the same submission gets the first one's answer (its
 * redirect, or its notice); one arriving while the first still runs waits for
 * it. The same token with other values is refused (422): the form was sent
 * already. Only successes are kept: a refused submission (invalid values, a
 * conflict) leaves its token free, so the corrected form can be sent with it.
 * A post without a token runs as before.
 */
export async function submitOnce(
  request: Request,
  userId: number,
  formData: FormData,
  run: () => Promise<FormAnswer>,
): Promise<FormAnswer> {
  const token = formData.get(SUBMISSION_FIELD);
  if (typeof token !== "string" || !TOKEN_PATTERN.test(token)) return run();
  const pathname = new URL(request.url).pathname;
  const intent = formData.get("intent");
  const scope = `form:${userId}`;
  const key = `${token} ${pathname} ${typeof intent === "string" ? intent : ""}`;
  const digest = formDigest(pathname, formData);

  const deadline = Date.now() + WAIT_FOR_FIRST_MS;
  for (;;) {
    const claim = claimIdempotencyKey(scope, key);
    if (claim.state === "done") {
      if (claim.requestHash !== digest) {
        return refusal(422, "This form was already sent, with other values. Open the page again to send a new one.");
      }
      return replay(claim.answer);
    }
    if (claim.state === "claimed") return runClaimed(claim.id, digest, run);
    // Wait for the first, reading (no write lock) until it is done or gone, then look again.
    do {
      if (Date.now() > deadline) return refusal(409, "This form is still being sent. Wait a moment, then open the page again.");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    } while (peekIdempotencyKey(scope, key).state === "running");
  }
}

async function runClaimed(id: number, digest: string, run: () => Promise<FormAnswer>): Promise<FormAnswer> {
  let answer: FormAnswer;
  try {
    answer = await run();
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status >= 300 && thrown.status < 400 && thrown.headers.has("location")) {
      completeIdempotencyKey(id, digest, { status: thrown.status, headers: { location: thrown.headers.get("location")! }, body: "" });
    } else {
      releaseIdempotencyKey(id);
    }
    throw thrown;
  }
  const status = answer.init?.status ?? 200;
  if (isDataAnswer(answer) && status >= 200 && status < 300 && answer.data.ok) {
    // A one-time value (a new API token) is never stored: a replay says what happened without it.
    const { reveal, ...kept } = answer.data;
    const stored = reveal === undefined ? kept : { ...kept, notice: SHOWN_ONCE };
    completeIdempotencyKey(id, digest, { status, headers: {}, body: JSON.stringify(stored) });
  } else {
    releaseIdempotencyKey(id);
  }
  return answer;
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
): Promise<FormAnswer> {
  const formData = await readFormData(request);
  return submitOnce(request, userId, formData, () => runFormAction(formData, schema, run, success));
}
