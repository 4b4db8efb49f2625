import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionResult, SelectField, TextAreaField } from "~/components/forms";
import { Markdown } from "~/components/markdown";
import { StageBadge } from "~/components/registry";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole, REGISTRY_WRITERS } from "~/modules/auth/roles";
import { CARD_SECTIONS } from "~/modules/governance/governance-constants";
import { CardCommentSchema, CardReviewSchema } from "~/modules/governance/governance-schemas";
import { commentOnCard, getVersionCards, reviewModelCard, submitModelCard } from "~/modules/governance/model-cards.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { formatDateTime, formatPercent } from "~/utils/format";
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
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: { id: detail.version.id, version: detail.version.version, stage: detail.version.stage },
    card: revisions[0] ?? null,
    revisions: revisions.map((r) => ({ id: r.id, revision: r.revision, status: r.status, updatedAt: r.updatedAt })),
    canWrite: hasRole(role, REGISTRY_WRITERS),
    canReview: role === "ethics",
    canComment: hasRole(role, [...REGISTRY_WRITERS, "ethics"]),
  };
}

const CardIdSchema = z.object({ cardId: z.coerce.number().int().positive() });

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const roles = formData.get("intent") === "review" ? (["ethics"] as const) : formData.get("intent") === "comment" ? ([...REGISTRY_WRITERS, "ethics"] as const) : REGISTRY_WRITERS;
  const { org, actor } = await requireMember(request, params.orgSlug, roles);
  return runIntentAction(formData, {
    submit: intent(CardIdSchema, (input) => submitModelCard(org.id, input.cardId, actor), "Submitted for review by the ethics committee."),
    review: intent(
      CardIdSchema.and(CardReviewSchema),
      ({ cardId, ...input }) => reviewModelCard(org.id, cardId, input, actor),
      (_card, input) => (input.decision === "approve" ? "Card approved." : "Changes requested."),
    ),
    comment: intent(CardIdSchema.and(CardCommentSchema), ({ cardId, ...input }) => commentOnCard(org.id, cardId, input, actor), "Comment added."),
  });
}

const STATUS_LABELS = { draft: "Draft", in_review: "In review", approved: "Approved", changes_requested: "Changes requested" } as const;

export default function ModelCardPage() {
  const { org, model, version, card, revisions, canWrite, canReview, canComment } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/orgs/${org.slug}/models/${model.slug}/versions/${version.version}`;
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
      <ActionResult result={result} />
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
              {card.decidedBy ? ` · decided by ${card.decidedBy} ${formatDateTime(card.decidedAt)}` : ""}
            </p>
            {card.decisionComment ? <p>Reviewer: “{card.decisionComment}”</p> : null}
            <p className="inline-form">
              <a href={`${base}/card.md`} download>
                Download Markdown
              </a>
              <a href={`${base}/card.pdf`} target="_blank" rel="noopener">Download PDF</a>
              {revisions.length > 1 ? <Link to={`${base}/card/compare`}>Compare revisions</Link> : null}
            </p>
            {canWrite && card.status === "draft" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="submit" />
                <input type="hidden" name="cardId" value={card.id} />
                <button type="submit">Submit for review</button>
              </Form>
            ) : null}
            {canReview && card.status === "in_review" ? (
              <Form method="post" className="inline-form" aria-label="Review decision">
                <input type="hidden" name="intent" value="review" />
                <input type="hidden" name="cardId" value={card.id} />
                <SelectField
                  label="Decision"
                  name="decision"
                  options={[
                    { value: "approve", label: "Approve" },
                    { value: "request_changes", label: "Request changes" },
                  ]}
                />
                <TextAreaField label="Comment to the team" name="comment" rows={2} error={result?.errors?.comment} />
                <button type="submit">Record decision</button>
              </Form>
            ) : null}
          </section>
          {CARD_SECTIONS.map((section) => {
            const comments = card.comments.filter((c) => c.section === section.id);
            return (
              <section key={section.id} className="card" aria-labelledby={`section-${section.id}`}>
                <h2 id={`section-${section.id}`}>{section.title}</h2>
                {card.sections[section.id] ? <Markdown source={card.sections[section.id]} /> : <p className="muted">Not written yet. {section.hint}</p>}
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
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="intent" value="comment" />
                    <input type="hidden" name="cardId" value={card.id} />
                    <input type="hidden" name="section" value={section.id} />
                    <label className="visually-hidden" htmlFor={`comment-${section.id}`}>
                      Comment on {section.title}
                    </label>
                    <input id={`comment-${section.id}`} name="body" placeholder={`Comment on ${section.title.toLowerCase()}`} />
                    <button type="submit" className="small secondary">
                      Comment
                    </button>
                  </Form>
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
