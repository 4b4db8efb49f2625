import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { autosaveClientAction, keepPageAfterFailedSave, SaveStatusLine, useAutosave } from "~/components/autosave";
import { FormError, TextAreaField, TextField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { CARD_SECTIONS, CARD_SECTION_IDS, type CardSectionId } from "~/modules/governance/governance-constants";
import {
  cardEditFromForm,
  emptySections,
  ModelCardFormSchema,
  type CardNotApplicable,
  type CardSections,
} from "~/modules/governance/model-card";
import {
  cardFingerprints,
  getVersionCards,
  previousVersionCard,
  saveModelCard,
  type CardSectionConflict,
} from "~/modules/governance/model-cards.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { formatDateTime } from "~/utils/format";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Edit model card · ${data?.model.name ?? ""} ${data?.version ?? ""}` },
];

type EditorCard = {
  sections: CardSections;
  notApplicable: CardNotApplicable;
  sectionVersions: Record<CardSectionId, number>;
  fingerprints: Record<CardSectionId, string>;
};

/** What the editor needs of a stored card: its content plus what each section was when loaded. */
function editorCard(
  card: { sections: CardSections; notApplicable: CardNotApplicable; sectionVersions: Record<CardSectionId, number> } | null,
): EditorCard {
  const content = card ?? {
    sections: emptySections(),
    notApplicable: {},
    sectionVersions: Object.fromEntries(CARD_SECTION_IDS.map((id) => [id, 0])) as Record<CardSectionId, number>,
  };
  return {
    sections: content.sections,
    notApplicable: content.notApplicable,
    sectionVersions: content.sectionVersions,
    fingerprints: cardFingerprints(content),
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  const current = getVersionCards(org.id, detail.version.id)[0] ?? null;
  const previous = previousVersionCard(org.id, detail.model.slug, detail.version.version);
  const fromPrevious = new URL(request.url).searchParams.get("from") === "previous" && previous;
  const stored = editorCard(current);
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: detail.version.version,
    current: current ? { revision: current.revision, status: current.status } : null,
    previousVersion: previous?.version ?? null,
    // Starting from the previous version's card fills in its text, checked against this card's versions.
    card: fromPrevious ? { ...stored, sections: previous.card.sections, notApplicable: previous.card.notApplicable } : stored,
    source: fromPrevious ? "previous" : "current",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const [modelSlug, version] = [params.modelSlug ?? "", params.version ?? ""];
  const formData = await readFormData(request);
  const autosave = formData.get("autosave") === "1";
  let saved: ReturnType<typeof saveModelCard> | undefined;
  const refused = await runFormAction(
    formData,
    ModelCardFormSchema,
    (input) => (saved = saveModelCard(org.id, modelSlug, version, cardEditFromForm(input), actor, { autosave })),
    (card) => (autosave || card.conflicts.length ? "Saved." : redirect(`/orgs/${org.slug}/models/${modelSlug}/versions/${version}/card`)),
  );
  if (!saved) return refused;
  const conflict: CardSectionConflict[] | undefined = saved.conflicts.length ? saved.conflicts : undefined;
  return data({ ok: !conflict, conflict, savedSections: saved.savedSections, revision: saved.revision, stored: editorCard(saved) });
}

/** A save that gets no answer (offline, server error, signed out) keeps the page and what was typed. */
export const clientAction = autosaveClientAction;
export const shouldRevalidate = keepPageAfterFailedSave;

type SaveAnswer = {
  ok: boolean;
  errors?: Record<string, string | undefined>;
  values?: Record<string, string>;
  conflict?: CardSectionConflict[];
  savedSections?: CardSectionId[];
  stored?: EditorCard;
};

/** Sets a field's value as if typed, so the form's change handling (autosave) sees it. */
function typeInto(form: HTMLFormElement | null, name: string, value: string) {
  const field = form?.elements.namedItem(name);
  if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return;
  // React notices a change only when the value differs from the one it last saw, so
  // first tell it about a placeholder, then set the real value behind its back.
  field.value = `${value}\u0000`;
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(field), "value")?.set?.call(field, value);
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

export default function EditModelCard() {
  const { org, model, version, current, previousVersion, card, source } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>() as SaveAnswer | undefined;
  const fetcher = useFetcher<typeof action>();
  const formRef = useRef<HTMLFormElement>(null);
  const underReview = current?.status === "in_review";
  const { statusText, status, formProps, answer } = useAutosave(fetcher, formRef, { enabled: !underReview });
  const saveAnswer = answer as SaveAnswer | undefined;

  // Without JavaScript a post comes back here: show what is stored now, your text where it conflicts.
  const conflictsPosted = posted?.conflict ?? [];
  const base: EditorCard = posted?.stored
    ? {
        ...posted.stored,
        sections: { ...posted.stored.sections, ...Object.fromEntries(conflictsPosted.map((c) => [c.section, c.yours.text])) },
        notApplicable: {
          ...posted.stored.notApplicable,
          ...Object.fromEntries(conflictsPosted.map((c) => [c.section, c.yours.notApplicable])),
        },
      }
    : card;
  const values: Record<string, string | undefined> = posted?.values ?? {
    ...base.sections,
    ...Object.fromEntries(Object.entries(base.notApplicable).map(([id, reason]) => [`na_${id}`, reason])),
  };
  const errors: Record<string, string | undefined> = (saveAnswer?.errors ?? posted?.errors ?? {}) as Record<string, string | undefined>;

  const [versions, setVersions] = useState(base.sectionVersions);
  const [fingerprints, setFingerprints] = useState(base.fingerprints);
  const [conflicts, setConflicts] = useState<CardSectionConflict[]>(conflictsPosted);

  // After each save, only the sections it saved move to the stored version: a section refused
  // (or one someone else changed that you did not touch) keeps what you loaded.
  useEffect(() => {
    if (!saveAnswer?.stored) return;
    const stored = saveAnswer.stored;
    const saved = new Set(saveAnswer.savedSections ?? []);
    setVersions((prev) => ({ ...prev, ...Object.fromEntries([...saved].map((id) => [id, stored.sectionVersions[id]])) }));
    setFingerprints((prev) => ({ ...prev, ...Object.fromEntries([...saved].map((id) => [id, stored.fingerprints[id]])) }));
    setConflicts(saveAnswer.conflict ?? []);
  }, [saveAnswer]);

  // A post without the fetcher (the Save button) comes back with what is stored now.
  useEffect(() => {
    if (!posted?.stored) return;
    setVersions(base.sectionVersions);
    setFingerprints(base.fingerprints);
    setConflicts(posted.conflict ?? []);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once per posted answer, not when the setters change
  }, [posted]);

  function keepMine(conflict: CardSectionConflict) {
    setVersions((prev) => ({ ...prev, [conflict.section]: conflict.theirs.version }));
    setConflicts((prev) => prev.filter((c) => c.section !== conflict.section));
    // Saves again (after this render) against their version: yours replaces it.
    setTimeout(() =>
      typeInto(formRef.current, conflict.section, (formRef.current?.elements.namedItem(conflict.section) as HTMLTextAreaElement).value),
    );
  }
  function takeTheirs(conflict: CardSectionConflict) {
    setVersions((prev) => ({ ...prev, [conflict.section]: conflict.theirs.version }));
    const storedFingerprint = saveAnswer?.stored?.fingerprints[conflict.section];
    if (storedFingerprint) setFingerprints((prev) => ({ ...prev, [conflict.section]: storedFingerprint }));
    setConflicts((prev) => prev.filter((c) => c.section !== conflict.section));
    setTimeout(() => {
      typeInto(formRef.current, `na_${conflict.section}`, conflict.theirs.notApplicable);
      typeInto(formRef.current, conflict.section, conflict.theirs.text);
    });
  }

  const cardPage = `/orgs/${org.slug}/models/${model.slug}/versions/${version}/card`;
  return (
    <>
      <p>
        <Link to={cardPage}>← Model card</Link>
      </p>
      <h1>
        Model card: {model.name} {version}
      </h1>
      <p className="muted">
        {underReview
          ? `Revision ${current.revision} is under review by the ethics committee; it cannot change until they decide.`
          : current?.status === "approved"
            ? `Revision ${current.revision} is approved and stays as it is; your first change starts revision ${current.revision + 1}, and later changes go to it.`
            : current
              ? `Editing revision ${current.revision}.`
              : "Sections follow Mitchell et al., “Model Cards for Model Reporting”. Markdown is allowed (no HTML)."}{" "}
        {previousVersion ? <Link to="?from=previous">Start from version {previousVersion}’s card</Link> : null}
      </p>
      <Form
        method="post"
        noValidate
        className="card"
        key={`${source}-${posted?.stored ? JSON.stringify(posted.stored.sectionVersions) : ""}`}
        ref={formRef}
        {...formProps}
      >
        <SaveStatusLine
          status={status}
          text={statusText}
          idleHint="Changes save as you type. A section that does not apply to this model can be marked not applicable, with the reason."
          staticHint="Press Save card to keep your changes. A section that does not apply to this model can be marked not applicable, with the reason."
        />
        <FormError error={errors.form} />
        {conflicts.length ? (
          <p className="form-error" role="alert">
            Someone else saved {conflicts.map((c) => c.title).join(", ")} after you opened this page. Your other changes are saved; choose
            which version of {conflicts.length === 1 ? "that section" : "those sections"} to keep.
          </p>
        ) : null}
        {CARD_SECTIONS.map((section) => {
          const conflict = conflicts.find((c) => c.section === section.id);
          const reason = values[`na_${section.id}`];
          return (
            <fieldset key={section.id} className="card-section" style={{ border: 0, padding: 0, margin: "0 0 1rem" }}>
              <input type="hidden" name={`base_${section.id}`} value={versions[section.id]} />
              <input type="hidden" name={`loaded_${section.id}`} value={fingerprints[section.id]} />
              <TextAreaField
                label={section.title}
                name={section.id}
                hint={section.hint}
                rows={5}
                defaultValue={values[section.id]}
                error={errors[section.id]}
              />
              <details open={!!reason || !!errors[`na_${section.id}`]}>
                <summary>{reason ? "Marked not applicable" : "Not applicable to this model?"}</summary>
                <TextField
                  label={`Why ${section.title.toLowerCase()} does not apply`}
                  name={`na_${section.id}`}
                  defaultValue={reason}
                  error={errors[`na_${section.id}`]}
                  hint="Leave empty when the section applies. With a reason, the section counts as complete without text."
                />
              </details>
              {conflict ? (
                <ConflictPanel conflict={conflict} onKeepMine={() => keepMine(conflict)} onTakeTheirs={() => takeTheirs(conflict)} />
              ) : null}
            </fieldset>
          );
        })}
        <button type="submit">Save card</button>
      </Form>
    </>
  );
}

/** Both versions of a section saved by someone else meanwhile; without JavaScript the buttons post the form. */
function ConflictPanel({
  conflict,
  onKeepMine,
  onTakeTheirs,
}: {
  conflict: CardSectionConflict;
  onKeepMine: () => void;
  onTakeTheirs: () => void;
}) {
  const show = (content: { text: string; notApplicable: string }) =>
    content.notApplicable ? `Not applicable: ${content.notApplicable}` : content.text || "(empty)";
  return (
    <div
      className="card"
      role="group"
      aria-label={`Two versions of ${conflict.title}`}
      data-testid={`conflict-${conflict.section}`}
      style={{ borderColor: "var(--bad, #b42318)" }}
    >
      <div className="grid">
        <div>
          <h3>
            Theirs: saved by {conflict.theirs.savedBy} {formatDateTime(conflict.theirs.savedAt)}
          </h3>
          <pre style={{ whiteSpace: "pre-wrap" }} data-testid="theirs">
            {show(conflict.theirs)}
          </pre>
        </div>
        <div>
          <h3>Yours (not saved)</h3>
          <pre style={{ whiteSpace: "pre-wrap" }} data-testid="yours">
            {show(conflict.yours)}
          </pre>
        </div>
      </div>
      <p className="inline-form">
        <button
          type="submit"
          onClick={(event) => {
            event.preventDefault();
            onKeepMine();
          }}
        >
          Keep mine
        </button>
        <button
          type="submit"
          name="take"
          value={conflict.section}
          className="secondary"
          onClick={(event) => {
            event.preventDefault();
            onTakeTheirs();
          }}
        >
          Take theirs
        </button>
      </p>
    </div>
  );
}
