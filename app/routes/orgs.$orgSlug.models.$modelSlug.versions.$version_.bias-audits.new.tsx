import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { FormError, SelectField, TextField } from "~/components/forms";
import { UploadForm } from "~/components/upload-form";
import { ColumnField, GroupColumnsField, useCsvSample, valuesHint } from "~/components/bias-audit";
import { useHydrated } from "~/components/use-hydrated";
import { requireMember } from "~/modules/auth/membership.server";
import { FAIRNESS_PRESETS } from "~/modules/governance/fairness";
import { FAIRNESS_PRESET_IDS } from "~/modules/governance/governance-constants";
import { BIAS_AUDIT_RUNNERS, getFairnessSettings } from "~/modules/governance/bias-audits.server";
import { biasAuditFormAction } from "~/modules/governance/bias-audit-upload.server";
import { submitOnce } from "~/modules/http/submit-once.server";
import { getVersionDetail } from "~/modules/registry/registry.server";
import { notFound } from "~/utils/http";

export const meta: MetaFunction = () => [{ title: "New bias audit" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireMember(request, params.orgSlug, BIAS_AUDIT_RUNNERS);
  const detail = getVersionDetail(org.id, params.modelSlug ?? "", params.version ?? "");
  if (!detail) throw notFound("Model version not found");
  return {
    org,
    model: { slug: detail.model.slug, name: detail.model.name },
    version: detail.version.version,
    settings: getFairnessSettings(org.id),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { org, actor, user } = await requireMember(request, params.orgSlug, BIAS_AUDIT_RUNNERS);
  return biasAuditFormAction(request, org, params, actor, "document", (upload, run) => submitOnce(request, user.id, upload, run));
}

/** The fields whose errors are about the chosen file: a new file clears them. */
const FILE_ERRORS = new Set(["file", "form", "groupColumns", "labelColumn", "predictionColumn", "scoreColumn"]);

type UploadAnswer = { errors?: Record<string, string>; values?: Record<string, string> };

export default function NewBiasAudit() {
  const { org, model, version, settings } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as UploadAnswer | undefined;
  // From the action at once too, so a plain (no-JavaScript) form post shows its errors in the server-rendered page.
  const [errors, setErrors] = useState<Record<string, string>>(actionData?.errors ?? {});
  const sent = actionData?.values ?? {};
  const [mode, setMode] = useState<"prediction" | "score">(sent.mode === "score" ? "score" : "prediction");
  // The column fields are controlled, so a choice survives their change from text inputs to lists of the file's columns.
  const [columns, setColumns] = useState({
    groupColumns: sent.groupColumns ?? "",
    labelColumn: sent.labelColumn ?? "",
    predictionColumn: sent.predictionColumn ?? "",
    scoreColumn: sent.scoreColumn ?? "",
  });
  const setColumn = (name: keyof typeof columns) => (value: string) => setColumns((current) => ({ ...current, [name]: value }));
  const { sample, problem, readFile } = useCsvSample();
  // Without JavaScript both field groups stay visible; the radio tells the server which one counts.
  const hydrated = useHydrated();
  useEffect(() => setErrors(actionData?.errors ?? {}), [actionData]);
  const base = `/orgs/${org.slug}/models/${model.slug}/versions/${version}`;
  const fileHint =
    hydrated && !problem
      ? sample
        ? `${sample.columns.length} columns found in the header row; choose from them below.`
        : "Choose the file first: its header row’s columns are then offered below."
      : "One row per prediction, with a header row.";
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
        Upload the version’s predictions as CSV (one row per prediction, with a header row). The file is read as a stream and not kept: only
        the configuration, the counts per group and the results are stored.
      </p>
      <UploadForm onErrors={setErrors} submitLabel="Run the audit" xhrAction={`${base}/bias-audits/upload`}>
        <FormError error={errors.form ?? errors["config"]} />
        <TextField
          label="Predictions file (CSV)"
          name="file"
          type="file"
          accept=".csv,text/csv"
          required
          hint={fileHint}
          error={problem ?? errors.file}
          onChange={(event) => {
            // A new file: errors about the one before (the file, its columns) no longer hold; the server checks this one when sent.
            setErrors((current) => Object.fromEntries(Object.entries(current).filter(([name]) => !FILE_ERRORS.has(name))));
            readFile(event.currentTarget.files?.[0]);
          }}
        />
        <GroupColumnsField
          value={columns.groupColumns}
          onChange={setColumn("groupColumns")}
          columns={sample?.columns}
          error={errors.groupColumns ?? errors["groupColumns.0"]}
        />
        <ColumnField
          label="Label column"
          name="labelColumn"
          hint="The true outcome of each row."
          value={columns.labelColumn}
          onChange={setColumn("labelColumn")}
          columns={sample?.columns}
          error={errors.labelColumn}
        />
        <TextField
          label="Positive label values"
          name="positiveLabels"
          required
          defaultValue={sent.positiveLabels}
          hint={valuesHint(sample, columns.labelColumn, "Comma-separated values of the label column that mean the outcome happened.")}
          error={errors.positiveLabels}
        />
        <fieldset>
          <legend>Predictions</legend>
          <label>
            <input
              type="radio"
              name="mode"
              value="prediction"
              defaultChecked={mode === "prediction"}
              onChange={() => setMode("prediction")}
            />{" "}
            A prediction column
          </label>{" "}
          <label>
            <input type="radio" name="mode" value="score" defaultChecked={mode === "score"} onChange={() => setMode("score")} /> A score
            column with a threshold
          </label>
          <div hidden={hydrated && mode !== "prediction"}>
            <ColumnField
              label="Prediction column"
              name="predictionColumn"
              hint="The model’s decision for each row."
              value={columns.predictionColumn}
              onChange={setColumn("predictionColumn")}
              columns={sample?.columns}
              error={errors.predictionColumn}
              required={false}
            />
            <TextField
              label="Positive prediction values"
              name="positivePredictions"
              defaultValue={sent.positivePredictions}
              hint={valuesHint(
                sample,
                columns.predictionColumn,
                "Comma-separated values of the prediction column that count as a positive decision.",
              )}
              error={errors.positivePredictions}
            />
          </div>
          <div hidden={hydrated && mode !== "score"}>
            <ColumnField
              label="Score column"
              name="scoreColumn"
              hint="A numeric score per row."
              value={columns.scoreColumn}
              onChange={setColumn("scoreColumn")}
              columns={sample?.columns}
              error={errors.scoreColumn}
              required={false}
            />
            <TextField
              label="Threshold (positive when score ≥ threshold)"
              name="threshold"
              inputMode="decimal"
              defaultValue={sent.threshold}
              error={errors.threshold}
            />
          </div>
        </fieldset>
        <TextField
          label="Reference group (optional)"
          name="referenceGroup"
          defaultValue={sent.referenceGroup}
          hint="A group value to compare every group with."
          error={errors.referenceGroup}
        />
        <TextField
          label="Minimum group size"
          name="minGroupSize"
          inputMode="numeric"
          defaultValue={sent.minGroupSize ?? "30"}
          error={errors.minGroupSize}
        />
        <SelectField
          label="Rule set"
          name="preset"
          defaultValue={sent.preset ?? settings.fairnessPreset}
          options={FAIRNESS_PRESET_IDS.map((id) => ({ value: id, label: FAIRNESS_PRESETS[id].label }))}
          hint={`Organisation thresholds: ratios ≥ ${settings.fairnessRatioMin}, differences ≤ ${settings.fairnessDifferenceMax}.`}
          error={errors.preset}
        />
      </UploadForm>
    </>
  );
}
