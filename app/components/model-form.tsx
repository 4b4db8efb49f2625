import { Form } from "@remix-run/react";
import { FormError, SelectField, TextAreaField, TextField } from "./forms";
import { RISK_TIERS } from "~/modules/registry/registry-constants";

type ModelValues = Partial<
  Record<"name" | "slug" | "riskTier" | "ownerTeam" | "businessOwner" | "businessDomain" | "useCase" | "description" | "tags", string>
>;

/** The model form, for registering (with a slug) and for editing (without). */
export function ModelForm({
  values,
  errors = {},
  withSlug,
  submitLabel,
}: {
  values: ModelValues;
  errors?: Record<string, string | undefined>;
  withSlug: boolean;
  submitLabel: string;
}) {
  return (
    <Form method="post" noValidate className="card" style={{ maxWidth: 720 }}>
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
      <TextField label="Owner team" name="ownerTeam" defaultValue={values.ownerTeam} error={errors.ownerTeam} />
      <TextField label="Business owner" name="businessOwner" defaultValue={values.businessOwner} error={errors.businessOwner} />
      <TextField label="Business domain" name="businessDomain" defaultValue={values.businessDomain} error={errors.businessDomain} />
      <TextField label="Use case" name="useCase" defaultValue={values.useCase} error={errors.useCase} />
      <TextAreaField label="Description" name="description" defaultValue={values.description} error={errors.description} />
      <TextField label="Tags" name="tags" defaultValue={values.tags} error={errors.tags ?? errors["tags.0"]} hint="Comma-separated, e.g. credit, pricing" />
      <button type="submit">{submitLabel}</button>
    </Form>
  );
}
