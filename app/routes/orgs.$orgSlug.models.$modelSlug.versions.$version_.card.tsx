import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult, FormError, TextAreaField, useFieldMessages } from "~/components/forms";
import { SubmissionToken, SubmitButton } from "~/components/submit-once";
import { Markdown } from "~/components/markdown";
import { StageBadge } from "~/components/registry";
import { requireMember } from "~/modules/auth/membership.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { hasRole, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { CARD_SECTIONS, cardDecisionStands } from "~/modules/governance/governance-constants";
import { sectionTitleList, type CardCompleteness, type CardSections } from "~/modules/governance/model-card";
import { CardCommentSchema, CardReviewSchema, COMMENT_MAX_LENGTH } from "~/modules/governance/governance-schemas";
import {
  cardReviewRefusal,
  commentOnCard,
  getVersionCards,
  reviewModelCard,
  submitModelCard,
} from "~/modules/governance/model-cards.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { formatDateTime, formatPercent } from "~/utils/format";
import type { MarkdownRoot } from "~/utils/markdown";
import { parseMarkdown } from "~/utils/markdown.server";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Model card · ${data?.model.name ?? ""} ${data?.version.version ?? ""}` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireMember(request, params.orgSlug);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  const revisions = getVersionCards(org.id, detail.version.id);
  const card = revisions[0] ?? null;
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: { id: detail.version.id, version: detail.version.version, stage: detail.version.stage },
    // The sections' Markdown goes to the page already parsed: the parser stays on the server.
    card: card && { ...card, sections: parseSections(card.sections) },
    review: role === "ethics" && card?.status === "in_review" ? reviewStep(new URL(request.url).searchParams, card) : null,
    revisions: revisions.map((r) => ({ id: r.id, revision: r.revision, status: r.status, updatedAt: r.updatedAt })),
    canWrite: hasRole(role, REGISTRY_WRITERS),
    canReview: role === "ethics",
    canComment: hasRole(role, [...REGISTRY_WRITERS, "ethics"]),
  };
}

/**
 * The review's confirmation step, from the decision chosen on the card page
 * (a GET form, so it works without JavaScript): the decision, or the error of
 * not choosing one, and for approval whether the card is complete enough.
 */
function reviewStep(query: URLSearchParams, card: NonNullable<ReturnType<typeof getVersionCards>[number]>) {
  if (query.get("review") !== "confirm") return { decision: null, error: null };
  const decision = CardReviewSchema.shape.decision.safeParse(query.get("decision"));
  if (!decision.success) return { decision: null, error: decision.error.issues[0]?.message ?? "Choose approve or request changes" };
  // The same rule the action enforces; the comment is written on the next step.
  const refusal = decision.data === "approve" ? cardReviewRefusal(card, { decision: "approve" }) : null;
  return { decision: decision.data, error: refusal?.message ?? null };
}

function parseSections(sections: CardSections) {
  return Object.fromEntries(Object.entries(sections).map(([id, text]) => [id, parseMarkdown(text)])) as Record<
    keyof CardSections,
    MarkdownRoot
  >;
}

const CardIdSchema = z.object({ cardId: z.coerce.number().int().positive() });

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const roles =
    formData.get("intent") === "review"
      ? (["ethics"] as const)
      : formData.get("intent") === "comment"
        ? ([...REGISTRY_WRITERS, "ethics"] as const)
        : REGISTRY_WRITERS;
  const { org, actor, user } = await requireMember(request, params.orgSlug, roles);
  // The comment forms carry a one-time token: a comment sent twice is added once.
  return submitOnce(request, user.id, formData, () =>
    runIntentAction(formData, {
      submit: intent(
        CardIdSchema,
        (input) => submitModelCard(org.id, input.cardId, actor),
        "Submitted for review by the ethics committee.",
      ),
      review: intent(
        CardIdSchema.and(CardReviewSchema),
        ({ cardId, ...input }) => reviewModelCard(org.id, cardId, input, actor),
        (_card, input) => (input.decision === "approve" ? "Card approved." : "Changes requested."),
      ),
      comment: intent(
        CardIdSchema.and(CardCommentSchema),
        ({ cardId, ...input }) => commentOnCard(org.id, cardId, input, actor),
        // The section goes back with the notice: the page knows which box the comment came from.
        (_comment, input) => ({ notice: "Comment added.", values: { section: input.section } }),
      ),
    }),
  );
}

const STATUS_LABELS = { draft: "Draft", in_review: "In review", approved: "Approved", changes_requested: "Changes requested" } as const;

export default function ModelCardPage() {
  const { org, model, version, card, review, revisions, canWrite, canReview, canComment } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/models/${model.slug}/versions/${version.version}`;
  const decided = card ? cardDecisionStands(card.status) : false;
  return (
    <>
      <p>
        <Link to={base}>
          ← {model.name} {version.version}
        </Link>
      </p>
      <div className="page-header">
        <h1>
          Model card: {model.name} <span className="mono">{version.version}</span> <StageBadge stage={version.stage} />
        </h1>
        {canWrite && card?.status !== "in_review" ? (
          <Link to={`${base}/card/edit`} className="button">
            {card ? (card.status === "approved" ? "Start a new revision" : "Edit card") : "Write the card"}
          </Link>
        ) : null}
      </div>
      {/* A refused comment says why beside its box. */}
      <ActionResult result={result && !result.ok && result.intent === "comment" ? undefined : result} />
      {!card ? (
        <p className="muted">No model card yet.</p>
      ) : (
        <>
          <section className="card" aria-label="Card status">
            <p>
              Revision {card.revision} · <strong data-testid="card-status">{STATUS_LABELS[card.status]}</strong> · completeness{" "}
              <strong data-testid="card-completeness">
                {card.completeness.filled}/{card.completeness.total} ({formatPercent(card.completeness.share, 0)})
              </strong>
              {card.completeness.notApplicable.length ? ` · ${card.completeness.notApplicable.length} not applicable` : ""}
              {card.decidedBy ? ` · ${decided ? "decided" : "last reviewed"} by ${card.decidedBy} ${formatDateTime(card.decidedAt)}` : ""}
            </p>
            {card.decisionComment ? (
              <p>
                {decided ? "Reviewer" : "Earlier review"}: “{card.decisionComment}”
              </p>
            ) : null}
            <p className="inline-form">
              <a href={`${base}/card.md`} download>
                Download Markdown
              </a>
              <a href={`${base}/card.pdf`} target="_blank" rel="noopener noreferrer">
                Download PDF
              </a>
              {revisions.length > 1 ? <Link to={`${base}/card/compare`}>Compare revisions</Link> : null}
            </p>
            {canWrite && card.status === "draft" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="submit" />
                <input type="hidden" name="cardId" value={card.id} />
                <SubmitButton>Submit for review</SubmitButton>
              </Form>
            ) : null}
            {canReview && card.status === "in_review" && review ? (
              <ReviewDecision cardId={card.id} revision={card.revision} completeness={card.completeness} review={review} result={result} />
            ) : null}
          </section>
          {CARD_SECTIONS.map((section) => {
            const comments = card.comments.filter((c) => c.section === section.id);
            return (
              <section key={section.id} className="card" aria-labelledby={`section-${section.id}`}>
                <h2 id={`section-${section.id}`}>{section.title}</h2>
                {card.notApplicable[section.id] ? (
                  <p data-testid={`not-applicable-${section.id}`}>
                    <em>Not applicable:</em> {card.notApplicable[section.id]}
                  </p>
                ) : card.sections[section.id].children.length ? (
                  <Markdown tree={card.sections[section.id]} />
                ) : (
                  <p className="muted">Not written yet. {section.hint}</p>
                )}
                {comments.length ? (
                  <ul className="comments">
                    {comments.map((c) => (
                      <li key={c.id}>
                        <strong>{c.author}</strong> <span className="muted">{formatDateTime(c.at)}</span>: {c.body}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {canComment ? (
                  // A new key once the section has one more comment empties the box: a second click cannot post it again.
                  <SectionCommentForm
                    key={`${section.id}-${comments.length}`}
                    cardId={card.id}
                    section={section}
                    refused={
                      result && !result.ok && result.intent === "comment" && result.values?.section === section.id ? result : undefined
                    }
                  />
                ) : null}
              </section>
            );
          })}
          <h2>Revisions</h2>
          <ul>
            {revisions.map((r) => (
              <li key={r.id}>
                Revision {r.revision}: {STATUS_LABELS[r.status]} ({formatDateTime(r.updatedAt)})
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/**
 * A section's comment box. Required in the browser; a refused comment (only
 * spaces, too long) shows its error beside the box and keeps what was typed.
 */
function SectionCommentForm({
  cardId,
  section,
  refused,
}: {
  cardId: number;
  section: (typeof CARD_SECTIONS)[number];
  refused?: { errors?: Record<string, string>; values?: Record<string, string> };
}) {
  const error = refused?.errors?.body ?? refused?.errors?.form;
  const { id, describedBy, messages } = useFieldMessages({ error });
  return (
    <Form method="post" className="inline-form comment-form" aria-label={`Comment on ${section.title}`}>
      <input type="hidden" name="intent" value="comment" />
      <SubmissionToken />
      <input type="hidden" name="cardId" value={cardId} />
      <input type="hidden" name="section" value={section.id} />
      <div className="field">
        <label className="visually-hidden" htmlFor={id}>
          Comment on {section.title}
        </label>
        <input
          id={id}
          name="body"
          required
          maxLength={COMMENT_MAX_LENGTH}
          placeholder={`Comment on ${section.title.toLowerCase()}`}
          defaultValue={refused?.values?.body ?? ""}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
        {messages}
      </div>
      <SubmitButton className="small secondary">Comment</SubmitButton>
    </Form>
  );
}

/** "8 of 10 sections written, 1 not applicable. Empty: Factors." */
function CompletenessSummary({ completeness }: { completeness: CardCompleteness }) {
  return (
    <p data-testid="review-completeness">
      <strong>
        {completeness.filled} of {completeness.total} sections written
      </strong>
      {completeness.notApplicable.length
        ? `, ${completeness.notApplicable.length} marked not applicable (${sectionTitleList(completeness.notApplicable)})`
        : ""}
      . {completeness.missing.length ? `Empty: ${sectionTitleList(completeness.missing)}.` : "No section is empty."}
    </p>
  );
}

/**
 * The ethics review in two steps: choose a decision (nothing is chosen for
 * you), then confirm it seeing the card's completeness; approving needs a
 * complete card, requesting changes needs a comment.
 */
function ReviewDecision({
  cardId,
  revision,
  completeness,
  review,
  result,
}: {
  cardId: number;
  revision: number;
  completeness: CardCompleteness;
  review: { decision: "approve" | "request_changes" | null; error: string | null };
  result?: { ok: boolean; intent?: string; errors?: Record<string, string> };
}) {
  const errors = result && !result.ok && result.intent === "review" ? (result.errors ?? {}) : {};
  if (!review.decision) {
    return (
      <Form method="get" aria-label="Review decision" className="card">
        <input type="hidden" name="review" value="confirm" />
        <fieldset style={{ border: 0, padding: 0, margin: 0 }} aria-describedby={review.error ? "decision-error" : undefined}>
          <legend>
            <strong>Your decision on revision {revision}</strong>
          </legend>
          <label style={{ display: "block" }}>
            <input type="radio" name="decision" value="approve" /> Approve the card
          </label>
          <label style={{ display: "block" }}>
            <input type="radio" name="decision" value="request_changes" /> Request changes
          </label>
          {review.error ? (
            <p id="decision-error" className="field-error">
              {review.error}
            </p>
          ) : null}
        </fieldset>
        <button type="submit">Continue</button>
      </Form>
    );
  }
  const approving = review.decision === "approve";
  return (
    <section className="card" aria-labelledby="review-confirm-heading">
      <h2 id="review-confirm-heading">{approving ? `Approve revision ${revision}?` : `Request changes to revision ${revision}?`}</h2>
      <CompletenessSummary completeness={completeness} />
      {approving && review.error ? (
        <>
          <p className="field-error" role="alert" id="decision-error">
            This card cannot be approved yet: {review.error}
          </p>
          <p className="inline-form">
            <Link to="?review=confirm&decision=request_changes">Request changes instead</Link>
            <Link to=".">Back to the card</Link>
          </p>
        </>
      ) : (
        <Form method="post" noValidate aria-label="Confirm review decision">
          <input type="hidden" name="intent" value="review" />
          <input type="hidden" name="cardId" value={cardId} />
          <input type="hidden" name="decision" value={review.decision} />
          <FormError error={errors.decision} />
          <TextAreaField
            label={approving ? "Comment to the team (optional)" : "What needs to change"}
            name="comment"
            rows={3}
            required={!approving}
            error={errors.comment}
            hint={
              approving
                ? "Approving makes this revision the approved card; later edits start a new revision."
                : "The team sees this with the card and edits it before submitting again."
            }
          />
          <p className="inline-form">
            <SubmitButton>{approving ? `Approve revision ${revision}` : "Send back for changes"}</SubmitButton>
            <Link to=".">Cancel</Link>
          </p>
        </Form>
      )}
    </section>
  );
}
