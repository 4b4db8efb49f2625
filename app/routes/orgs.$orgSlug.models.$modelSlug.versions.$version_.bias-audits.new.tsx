import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { FormError, SelectField, TextField } from "~/components/forms";
import { UploadForm } from "~/components/upload-form";
import { requireMember } from "~/modules/auth/membership.server";
import { REGISTRY_WRITERS } from "~/modules/auth/roles";
import { FAIRNESS_PRESETS } from "~/modules/governance/fairness";
import { FAIRNESS_PRESET_IDS } from "~/modules/governance/governance-constants";
import { getFairnessSettings } from "~/modules/governance/bias-audits.server";
import { handleAuditUpload } from "~/modules/governance/audit-upload.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "New bias audit" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  return { org, model: { slug: detail.model.slug, name: detail.model.name }, version: detail.version.version, settings: getFairnessSettings(org.id) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor } = await requireMember(request, params.orgSlug, REGISTRY_WRITERS);
  return handleAuditUpload(request, org, params, actor, "document");
}

export default function NewBiasAudit() {
  const { org, model, version, settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // From the action at once too, so a plain (no-JavaScript) form post shows its errors in the server-rendered page.
  const [errors, setErrors] = useState<Record<string, string>>((actionData as { errors?: Record<string, string> } | undefined)?.errors ?? {});
  const [mode, setMode] = useState<"prediction" | "score">("prediction");
  // Without JavaScript both field groups stay visible; the radio tells the server which one counts.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => setErrors((actionData as { errors?: Record<string, string> } | undefined)?.errors ?? {}), [actionData]);
  const base = `/orgs/${org.slug}/models/${model.slug}/versions/${version}`;
  return (
    <>
      <p>
        <Link to={base}>
          ← {model.name} {version}
        </Link>
      </p>
      <h1>
        New bias audit: {model.name} {version}
      </h1>
      <p className="lead">
        Upload the version’s predictions as CSV (one row per prediction, with a header row). The file is read as a
        stream and not kept: only the configuration, the counts per group and the results are stored.
      </p>
      <UploadForm onErrors={setErrors} submitLabel="Run the audit" xhrAction={`${base}/bias-audits/upload`}>
        <FormError error={errors.form ?? errors["config"]} />
        <TextField label="Group columns" name="groupColumns" required placeholder="race, sex" hint="Comma-separated; several columns make intersectional groups." error={errors.groupColumns ?? errors["groupColumns.0"]} />
        <TextField label="Label column" name="labelColumn" required placeholder="two_year_recid" error={errors.labelColumn} />
        <TextField label="Positive label values" name="positiveLabels" required placeholder="1" hint="Comma-separated." error={errors.positiveLabels} />
        <fieldset>
          <legend>Predictions</legend>
          <label>
            <input type="radio" name="mode" value="prediction" defaultChecked onChange={() => setMode("prediction")} /> A prediction column
          </label>{" "}
          <label>
            <input type="radio" name="mode" value="score" onChange={() => setMode("score")} /> A score column with a threshold
          </label>
          <div hidden={hydrated && mode !== "prediction"}>
            <TextField label="Prediction column" name="predictionColumn" placeholder="score_text" error={errors.predictionColumn} />
            <TextField label="Positive prediction values" name="positivePredictions" placeholder="Medium, High" error={errors.positivePredictions} />
          </div>
          <div hidden={hydrated && mode !== "score"}>
            <TextField label="Score column" name="scoreColumn" placeholder="decile_score" error={errors.scoreColumn} />
            <TextField label="Threshold (positive when score ≥ threshold)" name="threshold" inputMode="decimal" error={errors.threshold} />
          </div>
        </fieldset>
        <TextField label="Reference group (optional)" name="referenceGroup" error={errors.referenceGroup} />
        <TextField label="Minimum group size" name="minGroupSize" inputMode="numeric" defaultValue="30" error={errors.minGroupSize} />
        <SelectField
          label="Rule set"
          name="preset"
          defaultValue={settings.fairnessPreset}
          options={FAIRNESS_PRESET_IDS.map((id) => ({ value: id, label: FAIRNESS_PRESETS[id].label }))}
          hint={`Organisation thresholds: ratios ≥ ${settings.fairnessRatioMin}, differences ≤ ${settings.fairnessDifferenceMax}.`}
          error={errors.preset}
        />
        <TextField label="Predictions file (CSV)" name="file" type="file" accept=".csv,text/csv" required error={errors.file} />
      </UploadForm>
    </>
  );
}
