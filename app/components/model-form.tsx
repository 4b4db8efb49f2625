import { Form } from "@remix-run/react";
import { useRef } from "react";
import { DraftNotice, useFormDraft } from "./autosave";
import { FormError, SelectField, TextAreaField, TextField } from "./forms";
import { SubmissionToken, SubmitButton } from "./submit-once";
import { RISK_TIERS } from "~/modules/registry/registry-constants";

type ModelValues = Partial<
  Record<
    "name" | "slug" | "riskTier" | "ownerEmail" | "ownerTeam" | "businessOwner" | "businessDomain" | "useCase" | "description" | "tags",
    string
  >
>;

/**
 * The model form, for registering (with a slug) and for editing (without).
 * Given a `draftKey`, it keeps a browser draft of what was typed until it is
 * submitted (registering creates nothing before that).
 */
export function ModelForm({
  values,
  errors = {},
  withSlug,
  submitLabel,
  draftKey,
}: {
  values: ModelValues;
  errors?: Record<string, string | undefined>;
  withSlug: boolean;
  submitLabel: string;
  draftKey?: string;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  const draft = useFormDraft(formRef, draftKey ?? "");
  return (
    <Form method="post" noValidate className="card" style={{ maxWidth: 720 }} ref={formRef} {...(draftKey ? draft.formProps : {})}>
      {draftKey ? <DraftNotice restoredAt={draft.restoredAt} onDiscard={draft.discard} /> : null}
      {/* Registering creates a model: sent twice, it creates one (the edit form changes in place). */}
      {withSlug ? <SubmissionToken /> : null}
      <FormError error={errors.form} />
      <TextField label="Name" name="name" required defaultValue={values.name} error={errors.name} />
      {withSlug ? (
        <TextField
          label="Slug"
          name="slug"
          defaultValue={values.slug}
          error={errors.slug}
          hint="Used in addresses and by the API. Leave empty to derive it from the name."
        />
      ) : null}
      <SelectField
        label="Risk tier"
        name="riskTier"
        defaultValue={values.riskTier ?? "limited"}
        error={errors.riskTier}
        options={RISK_TIERS.map((t) => ({ value: t, label: t }))}
        hint="High-risk models need ethics and leadership approval before production; unacceptable ones can never be promoted."
      />
      <TextField
        label="Owning person (email)"
        name="ownerEmail"
        type="email"
        autoComplete="off"
        defaultValue={values.ownerEmail}
        error={errors.ownerEmail}
        hint={
          withSlug
            ? "The one person answerable for the model (the owner team is the team that runs it; the business owner, the side that uses it). A member of this organisation; told of its incidents, objective breaches, approvals and automatic promotions. Leave empty to own it yourself."
            : "The one person answerable for the model (the owner team is the team that runs it; the business owner, the side that uses it). A member of this organisation; told of its incidents, objective breaches, approvals and automatic promotions. Leave empty for nobody."
        }
      />
      <TextField label="Owner team" name="ownerTeam" defaultValue={values.ownerTeam} error={errors.ownerTeam} />
      <TextField label="Business owner" name="businessOwner" defaultValue={values.businessOwner} error={errors.businessOwner} />
      <TextField label="Business domain" name="businessDomain" defaultValue={values.businessDomain} error={errors.businessDomain} />
      <TextField label="Use case" name="useCase" defaultValue={values.useCase} error={errors.useCase} />
      <TextAreaField label="Description" name="description" defaultValue={values.description} error={errors.description} />
      <TextField
        label="Tags"
        name="tags"
        defaultValue={values.tags}
        error={errors.tags ?? errors["tags.0"]}
        hint="Comma-separated, e.g. credit, pricing"
      />
      <SubmitButton>{submitLabel}</SubmitButton>
    </Form>
  );
}
