import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, TextAreaField } from "~/components/forms";
import { requireMember } from "~/modules/auth/membership.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { CARD_SECTIONS } from "~/modules/governance/governance-constants";
import { emptySections, ModelCardSectionsSchema, type CardSections } from "~/modules/governance/model-card";
import { getVersionCards, previousVersionCard, saveModelCard } from "~/modules/governance/model-cards.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { notFound } from "~/utils/http";
import { readFormData, runFormAction } from "~/utils/form-action.server";

export const meta: MetaFunction = () => [{ title: "Edit model card" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  const current = getVersionCards(org.id, detail.version.id)[0] ?? null;
  const previous = previousVersionCard(org.id, detail.model.slug, detail.version.version);
  const fromPrevious = new URL(request.url).searchParams.get("from") === "previous" && previous;
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: detail.version.version,
    current: current ? { revision: current.revision, status: current.status } : null,
    previousVersion: previous?.version ?? null,
    initial: (fromPrevious ? previous.card.sections : (current?.sections ?? emptySections())) as CardSections,
    source: fromPrevious ? "previous" : "current",
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const [modelSlug, version] = [params.modelSlug ?? "", params.version ?? ""];
  return runFormAction(
    await readFormData(request),
    ModelCardSectionsSchema,
    (sections) => saveModelCard(org.id, modelSlug, version, sections as CardSections, actor),
    () => redirect(`/orgs/${org.slug}/models/${modelSlug}/versions/${version}/card`),
  );
}

export default function EditModelCard() {
  const { org, model, version, current, previousVersion, initial, source } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values: Record<string, string | undefined> = result?.values ?? initial;
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const base = `/orgs/${org.slug}/models/${model.slug}/versions/${version}/card`;
  return (
    <>
      <p>
        <Link to={base}>← Model card</Link>
      </p>
      <h1>
        Model card: {model.name} {version}
      </h1>
      <p className="muted">
        {current?.status === "approved"
          ? `Revision ${current.revision} is approved and stays as it is; saving starts revision ${current.revision + 1}.`
          : current
            ? `Editing revision ${current.revision}.`
            : "Sections follow Mitchell et al., “Model Cards for Model Reporting”. Markdown is allowed (no HTML)."}{" "}
        {previousVersion ? <Link to="?from=previous">Start from version {previousVersion}’s card</Link> : null}
      </p>
      <Form method="post" noValidate className="card" key={source}>
        <FormError error={errors.form} />
        {CARD_SECTIONS.map((section) => (
          <TextAreaField
            key={section.id}
            label={section.title}
            name={section.id}
            hint={section.hint}
            rows={5}
            defaultValue={values[section.id]}
            error={errors[section.id]}
          />
        ))}
        <button type="submit">Save card</button>
      </Form>
    </>
  );
}
