import { listPage } from "~/utils/paging";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useFetcher, useFormAction, useLoaderData, useSearchParams } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { useUnsavedChangesWarning } from "~/components/autosave";
import { z } from "zod";
import { Chart } from "~/components/chart";
import { linePointRadius } from "~/components/chart-data";
import { ActionResult, FormError } from "~/components/forms";
import { Pagination } from "~/components/table";
import { cached } from "~/data-cache.server";
import { countOf } from "~/utils/format";
import { requireMember } from "~/modules/auth/membership.server";
import { hasRole } from "~/modules/auth/roles";
import { criterionStatusLabel } from "~/modules/roadmap/criteria";
import { progressSentence, type RoadmapProgress } from "~/modules/roadmap/progress";
import { workstreamLabel } from "~/modules/roadmap/workstreams";
import {
  ITEM_STATUS_LABELS,
  ITEM_WORKERS,
  PLANNERS,
  ROADMAP_VIEWS,
  TABLE_SCROLLS_ON_ITS_OWN,
  WORK_STATUSES,
} from "~/modules/roadmap/roadmap-constants";
import { BulkAssignSchema, CriterionTickSchema, RoadmapItemUpdateSchema } from "~/modules/roadmap/roadmap-schemas";
import {
  assignableMembers,
  bulkAssignItems,
  sourceWithdrawnSentence,
  tickCriterion,
  updateRoadmapItem,
  type RoadmapItemJson,
} from "~/modules/roadmap/roadmaps.server";
import { notFound } from "~/utils/http";
import { intent, readFormData, runIntentAction } from "~/utils/form-action.server";
import { AppLink } from "~/components/link";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Roadmap: ${data?.roadmap.title ?? ""}` }];

const IdSchema = z.coerce.number().int().positive().catch(0);
const RowIdSchema = z.string().max(300).optional().catch(undefined);
const RoadmapPageQuerySchema = z.object({
  view: z.enum(ROADMAP_VIEWS).catch("workstream"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role, user } = await requireMember(request, params.orgSlug);
  const query = RoadmapPageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const roadmap = cached.roadmapView(org.id, IdSchema.parse(params.roadmapId), { ...query, me: user.email });
  if (!roadmap) throw notFound("Roadmap not found");
  const canWork = hasRole(role, ITEM_WORKERS) && roadmap.status === "active";
  return {
    org,
    roadmap: { ...roadmap, groups: roadmap.groups.map((g) => ({ ...g, items: g.items.map(shownItem) })) },
    view: query.view,
    // The owners to assign to: only members who can assign see them.
    members: canWork ? assignableMembers(org.id) : [],
    componentNames: Object.fromEntries(roadmap.components.map((c) => [c.id, c.name])),
    progressText: progressSentence(roadmap.progress.all, roadmap.status),
    withdrawalText: roadmap.sourceWithdrawal ? sourceWithdrawnSentence(roadmap.sourceWithdrawal) : null,
    canWork,
    canTick: hasRole(role, PLANNERS) && roadmap.status === "active",
  };
}

/** What a row shows of an item (the rest of it stays on the server). */
function shownItem(item: RoadmapItemJson) {
  return {
    id: item.id,
    key: item.key,
    title: item.title,
    components: item.components,
    catchUp: item.catchUp,
    carried: item.carried,
    closedReason: item.closedReason,
    dueDate: item.dueDate,
    overdue: item.overdue,
    owner: item.owner ? { name: item.owner.name } : null,
    team: item.team,
    status: item.status,
    evidence: item.evidence,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const formData = await readFormData(request);
  const { org, actor, role } = await requireMember(request, params.orgSlug, formData.get("intent") === "tick" ? PLANNERS : ITEM_WORKERS);
  return runIntentAction(formData, {
    // `row`: the row the form is in (an item is in several rows of the component view), to answer there.
    update: intent(
      z.object({ itemId: z.coerce.number().int().positive(), row: RowIdSchema }).and(RoadmapItemUpdateSchema),
      ({ itemId, row: _row, ...input }) => updateRoadmapItem(org.id, itemId, input, actor, { mayPlan: hasRole(role, PLANNERS) }),
      // Shown in the row it was saved from; in the banner (naming the item) for a post without one.
      (item, { row }) => (row ? { notice: "Saved.", values: { row } } : `Updated “${item.title}”.`),
    ),
    assign: intent(
      BulkAssignSchema,
      (input) => bulkAssignItems(org.id, input, actor),
      (n) => `Assigned ${countOf(n, "item")}.`,
    ),
    tick: intent(
      CriterionTickSchema,
      (input) => tickCriterion(org.id, { criterionId: input.criterionId, met: input.met === "yes", evidence: input.evidence }, actor),
      "Criterion recorded.",
    ),
  });
}

function Progress({
  progress: { done, total, percent: pct },
  label,
  catchUp = false,
}: {
  progress: RoadmapProgress;
  label: string;
  catchUp?: boolean;
}) {
  return (
    <div className="progress-row">
      <span>
        {label} {catchUp ? <CatchUpTag /> : null}
        <span className="muted">
          {done}/{total} ({pct}%)
        </span>
      </span>
      <div
        className="progress"
        role="progressbar"
        aria-valuenow={pct}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-label={`${workstreamLabel({ title: label, catchUp })} progress`}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function CatchUpTag() {
  return <span className="tag">catch-up</span>;
}

/**
 * The words of the row controls' names ("Status of <item title>"), once per page: each control names
 * itself from one of these and the row's title link (aria-labelledby), so a title is not repeated four times a row.
 */
const CONTROL_WORDS = { select: "Select", status: "Status of", evidence: "Evidence for" } as const;

function ControlWords() {
  return (
    <>
      {Object.entries(CONTROL_WORDS).map(([key, words]) => (
        <span key={key} id={`control-word-${key}`} hidden>
          {words}
        </span>
      ))}
    </>
  );
}

type ActionAnswer = ReturnType<typeof useActionData<typeof action>>;

function ItemRow({
  item,
  groupKey,
  canWork,
  componentNames,
  roadmapPath,
  formAction,
  posted,
  onUnsaved,
}: {
  item: ReturnType<typeof shownItem>;
  roadmapPath: `/${string}`;
  groupKey: string;
  canWork: boolean;
  componentNames: Record<string, string>;
  formAction: string;
  posted: ActionAnswer;
  /** Told whether the row's form holds something typed that the server does not have yet. */
  onUnsaved: (rowId: string, unsaved: boolean) => void;
}) {
  // An item can sit in several groups (the component view): ids carry the group.
  const id = `${groupKey}-${item.id}`;
  const rowId = `item-${id}`;
  const namedBy = (word: keyof typeof CONTROL_WORDS) => `control-word-${word} title-${id}`;
  const fetcher = useFetcher<typeof action>();
  // Without JavaScript the page after the post is the answer: the row the form was in shows it, with what was typed.
  const sent = posted?.intent === "update" && posted.values?.row === rowId ? posted : undefined;
  const answer = fetcher.data ?? sent;
  const refused = answer && !answer.ok ? answer : undefined;
  const errors: Record<string, string | undefined> = refused?.errors ?? {};
  const typed = sent && !sent.ok ? sent.values : undefined;
  const otherErrors = Object.entries(errors)
    .filter(([field]) => field !== "evidence")
    .map(([, message]) => message)
    .join(" ");
  const statusRef = useRef<HTMLSelectElement>(null);
  const evidenceRef = useRef<HTMLInputElement>(null);
  const saveRef = useRef<HTMLButtonElement>(null);
  // A refusal takes the focus to the field it is about (the row stays in view).
  useEffect(() => {
    if (!refused) return;
    (refused.errors?.evidence ? evidenceRef : refused.errors?.status ? statusRef : saveRef).current?.focus();
  }, [refused]);
  const working = canWork && item.status !== "closed";
  // Unsaved: what the row's fields hold differs from what the server has (a refused save stays unsaved).
  const [unsaved, setUnsaved] = useState(false);
  const compare = useCallback(() => {
    const status = statusRef.current;
    const evidence = evidenceRef.current;
    setUnsaved(!!status && !!evidence && (status.value !== item.status || evidence.value !== (item.evidence ?? "")));
  }, [item.status, item.evidence]);
  useEffect(compare, [compare]);
  useEffect(() => {
    onUnsaved(rowId, unsaved);
    return () => onUnsaved(rowId, false);
  }, [onUnsaved, rowId, unsaved]);
  return (
    <tr
      data-item={item.key}
      className={[item.status === "closed" ? "muted" : "", refused || unsaved ? "unsaved" : ""].filter(Boolean).join(" ") || undefined}
    >
      <td>
        {working ? <input type="checkbox" name="itemIds" value={item.id} form="bulk-assign" aria-labelledby={namedBy("select")} /> : null}
      </td>
      <td>
        <AppLink to={`${roadmapPath}/items/${item.id}`} id={`title-${id}`}>
          {item.title}
        </AppLink>
        <div>
          {item.components.map((c) => (
            <span key={c} className="tag">
              {componentNames[c] ?? c}
            </span>
          ))}
          {item.catchUp ? <CatchUpTag /> : null}
          {item.carried ? <span className="tag">carried over</span> : null}
        </div>
        {item.closedReason ? <div className="muted">{item.closedReason}</div> : null}
      </td>
      <td className={item.overdue ? "bad-text" : undefined} data-label="Due">
        {item.dueDate}
        {item.overdue ? " (overdue)" : ""}
      </td>
      <td data-label="Owner">
        {item.owner ? item.owner.name : <span className="muted">unassigned</span>}
        {item.team ? <div className="muted">{item.team}</div> : null}
      </td>
      <td data-label="Status and evidence">
        {working ? (
          <>
            {/* Paper shows no form: the status and evidence it holds, as text. */}
            <span className="print-only">
              {ITEM_STATUS_LABELS[item.status]}
              {item.evidence ? <span className="print-evidence">{item.evidence}</span> : null}
            </span>
            {/* A fetcher: the page stays where it is (its address too), and the answer shows in this row. Without
                JavaScript the post's page opens at this form (#rowId: in view even where the table scrolls sideways,
                at 390 px) and shows the answer here. */}
            <fetcher.Form
              id={rowId}
              method="post"
              action={`${formAction}#${rowId}`}
              className="inline-form row-form"
              noValidate
              onChange={compare}
            >
              <input type="hidden" name="intent" value="update" />
              <input type="hidden" name="itemId" value={item.id} />
              <input type="hidden" name="row" value={rowId} />
              <select
                ref={statusRef}
                name="status"
                defaultValue={typed?.status ?? item.status}
                aria-labelledby={namedBy("status")}
                aria-invalid={errors.status ? true : undefined}
                aria-describedby={errors.status ? `${rowId}-error` : undefined}
              >
                {WORK_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {ITEM_STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
              <input
                ref={evidenceRef}
                name="evidence"
                placeholder="Evidence note or link"
                defaultValue={typed ? (typed.evidence ?? "") : (item.evidence ?? "")}
                aria-labelledby={namedBy("evidence")}
                aria-invalid={errors.evidence ? true : undefined}
                aria-describedby={errors.evidence ? `${rowId}-evidence-error` : undefined}
              />
              <button ref={saveRef} type="submit" className="small secondary" aria-describedby={otherErrors ? `${rowId}-error` : undefined}>
                Save
              </button>
              {errors.evidence ? (
                <p id={`${rowId}-evidence-error`} className="field-error row-message">
                  Not saved: {errors.evidence}
                </p>
              ) : null}
              {otherErrors ? (
                <p id={`${rowId}-error`} className="field-error row-message">
                  Not saved: {otherErrors}
                </p>
              ) : null}
              {unsaved && !refused ? (
                <p className="muted row-message" data-testid="row-unsaved">
                  Not saved yet: press Save.
                </p>
              ) : answer?.ok ? (
                <p className="ok-text row-message" role="status">
                  {answer.notice}
                </p>
              ) : null}
            </fetcher.Form>
          </>
        ) : (
          ITEM_STATUS_LABELS[item.status]
        )}
      </td>
    </tr>
  );
}

export default function RoadmapPage() {
  const d = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  // A row's save is answered in its row (ItemRow); everything else at the top of the page.
  const result = posted?.intent === "update" && posted.values?.row ? undefined : posted;
  // The rows' forms post to this page's action (`?index` and the view and page they were on).
  const formAction = useFormAction();
  const [params] = useSearchParams();
  const { roadmap } = d;
  // Every workstream with items, catch-up ones included, due first: the progress, the phases and the groups alike.
  const workstreams = roadmap.progress.byWorkstream;
  const months = Math.max(...workstreams.map((w) => w.endMonth), 1);
  const base = `/orgs/${d.org.slug}/roadmaps/${roadmap.id}` as const;
  const printedPage = listPage(roadmap.page, roadmap.pageSize, roadmap.total);
  // Rows holding typed status or evidence not saved yet: switching view, paging or leaving asks first.
  const [unsavedRows, setUnsavedRows] = useState<ReadonlySet<string>>(new Set());
  const onUnsaved = useCallback((rowId: string, unsaved: boolean) => {
    setUnsavedRows((rows) => {
      if (rows.has(rowId) === unsaved) return rows;
      const next = new Set(rows);
      if (unsaved) next.add(rowId);
      else next.delete(rowId);
      return next;
    });
  }, []);
  // After an assignment the ticked rows are done with: clear them (and the owner and team), so the next
  // "Assign selected" does not reassign them. (Without JavaScript the page after the post starts unticked.)
  const bulkForm = useRef<HTMLFormElement>(null);
  const clearedAfter = useRef<typeof posted>(undefined);
  useEffect(() => {
    if (posted?.intent !== "assign" || !posted.ok || clearedAfter.current === posted) return;
    clearedAfter.current = posted;
    bulkForm.current?.reset();
  }, [posted]);
  useUnsavedChangesWarning(
    unsavedRows.size > 0,
    `You have typed a status or evidence in ${unsavedRows.size === 1 ? "a row" : `${unsavedRows.size} rows`} without saving it. Leave this page and lose it?`,
  );
  return (
    <>
      <p>
        <AppLink to={`/orgs/${d.org.slug}/roadmaps`}>← Roadmaps</AppLink>
      </p>
      <div className="page-header">
        <h1>
          Level {roadmap.transition.from} → {roadmap.transition.to}: {roadmap.title}{" "}
          {roadmap.status !== "active" ? <span className="tag">history</span> : null}
        </h1>
        <span className="inline-form">
          <a href={`${base}/export/csv`} download>
            CSV
          </a>
          <a href={`${base}/export/pdf`} target="_blank" rel="noopener noreferrer">
            PDF
          </a>
          <a href={`${base}/export/ics`}>Calendar (.ics)</a>
        </span>
      </div>
      <p className="lead">{roadmap.goal}</p>
      <p className="muted">
        Generated from the {roadmap.assessmentPeriod} assessment by {roadmap.createdBy}; starts {roadmap.startDate}.
        {roadmap.supersededById ? (
          <>
            {" "}
            Superseded by <AppLink to={`/orgs/${d.org.slug}/roadmaps/${roadmap.supersededById}`}>a newer roadmap</AppLink>.
          </>
        ) : null}
      </p>
      {d.withdrawalText ? (
        <p className="notice" data-testid="source-withdrawn">
          {d.withdrawalText} This roadmap stays as it was generated.
        </p>
      ) : null}
      <ActionResult result={result} />
      {result && !result.ok ? (
        <FormError
          error={
            Object.entries(result.errors ?? {})
              .filter(([key]) => key !== "form")
              .map(([, message]) => message)
              .join(" ") || undefined
          }
        />
      ) : null}
      <div className="two-col">
        <section className="card" aria-labelledby="progress-title">
          <h2 id="progress-title">Progress</h2>
          <Progress label="All items" progress={roadmap.progress.all} />
          {roadmap.status !== "active" ? <p data-testid="superseded-progress">{d.progressText}</p> : null}
          {workstreams.map((w) => (
            <Progress key={w.key} label={w.title} catchUp={w.catchUp} progress={w} />
          ))}
          <h3>Phases</h3>
          <div className="phases" aria-label="Workstream phases by month">
            {workstreams.map((w) => (
              <div key={w.key} className="phase-row">
                <span className="phase-label">
                  {w.title} {w.catchUp ? <CatchUpTag /> : null}
                  {/* On a phone a short phase's bar is too narrow for its months: they show here instead. */}
                  <span className="phase-months muted" aria-hidden="true">
                    {" "}
                    M{w.startMonth}–{w.endMonth}
                  </span>
                </span>
                <span className="phase-track">
                  <span
                    className="phase-bar"
                    style={{
                      marginLeft: `${((w.startMonth - 1) / months) * 100}%`,
                      width: `${((w.endMonth - w.startMonth + 1) / months) * 100}%`,
                    }}
                  >
                    M{w.startMonth}–{w.endMonth}
                  </span>
                </span>
              </div>
            ))}
          </div>
        </section>
        <Chart
          label="Burn-up: done items over time"
          config={{
            type: "line",
            data: {
              labels: roadmap.burnUp.map((p) => p.week),
              datasets: [
                {
                  label: "done",
                  data: roadmap.burnUp.map((p) => p.done),
                  borderColor: "#1b7a43",
                  backgroundColor: "#1b7a4333",
                  fill: true,
                  pointRadius: linePointRadius(roadmap.burnUp.length),
                },
                {
                  label: "total",
                  data: roadmap.burnUp.map((p) => p.total),
                  borderColor: "#5b6576",
                  borderDash: [6, 4],
                  pointRadius: linePointRadius(roadmap.burnUp.length),
                },
              ],
            },
            options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { position: "bottom" } } },
          }}
          table={
            <table>
              <thead>
                <tr>
                  <th scope="col">Week of</th>
                  <th scope="col">Done</th>
                  <th scope="col">All items</th>
                </tr>
              </thead>
              <tbody>
                {roadmap.burnUp.map((p) => (
                  <tr key={p.week}>
                    <th scope="row">{p.week}</th>
                    <td>{p.done}</td>
                    <td>{p.total}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          }
        />
      </div>

      <h2>Success criteria</h2>
      <ul className="criteria">
        {roadmap.successCriteria.map((c) => (
          <li key={c.id} data-criterion={c.key}>
            <strong className={c.met ? "ok-text" : c.met === false ? "bad-text" : "muted"}>
              {c.met ? "✔ " : c.met === false ? "✘ " : ""}
              {criterionStatusLabel(c)}
            </strong>{" "}
            {c.text}
            <div className="muted">
              {c.explanation}
              {c.automatic ? <span className="tag">checked automatically</span> : null}
            </div>
            {!c.automatic && d.canTick ? (
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="tick" />
                <input type="hidden" name="criterionId" value={c.id} />
                {/* No answer until one is chosen (a recorded one shows what was recorded): never "Met" by default. */}
                <select name="met" required aria-label={`Is “${c.text}” met?`} defaultValue={c.met === null ? "" : c.met ? "yes" : "no"}>
                  <option value="" disabled>
                    Met or not?
                  </option>
                  <option value="yes">Met</option>
                  <option value="no">Not met</option>
                </select>
                <input name="evidence" placeholder="Evidence" aria-label={`Evidence for “${c.text}”`} />
                <button type="submit" className="small secondary">
                  Record
                </button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>

      <nav className="tabs" aria-label="Roadmap views">
        {ROADMAP_VIEWS.map((v) => (
          <AppLink key={v} to={`?view=${v}`} aria-current={d.view === v ? "page" : undefined}>
            {{ workstream: "By workstream", component: "By component", mine: "My items", due: "Overdue and due this week" }[v]}
          </AppLink>
        ))}
      </nav>
      <ControlWords />
      {roadmap.groups.map((g) => (
        <section key={g.key} aria-labelledby={`group-${g.key}`}>
          <h3 id={`group-${g.key}`}>
            {g.title} {g.workstream?.catchUp ? <CatchUpTag /> : null}
            <span className="muted">
              ({g.progress.done}/{g.progress.total} done{g.workstream ? `, due ${g.workstream.dueDate}` : ""})
            </span>
          </h3>
          {g.items.length === 0 ? (
            <p className="muted">Nothing here.</p>
          ) : (
            <div className="table-wrap" style={TABLE_SCROLLS_ON_ITS_OWN}>
              <table className="card-table item-table">
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">Select</span>
                    </th>
                    <th scope="col">Item</th>
                    <th scope="col">Due</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Status and evidence</th>
                  </tr>
                </thead>
                <tbody>
                  {g.items.map((item) => (
                    <ItemRow
                      key={item.id}
                      item={item}
                      groupKey={g.key}
                      canWork={d.canWork}
                      componentNames={d.componentNames}
                      roadmapPath={base}
                      formAction={formAction}
                      posted={posted}
                      onUnsaved={onUnsaved}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
      {roadmap.total > roadmap.pageSize ? (
        /* Paper holds only this page: say so, and where the rest is. */
        <p className="print-only" data-testid="print-page-note">
          Items {printedPage.first}–{printedPage.last} of {roadmap.total}: print each page, or export the PDF for all items.
        </p>
      ) : null}
      <Pagination page={roadmap.page} pageSize={roadmap.pageSize} total={roadmap.total} hideSinglePage />
      {d.canWork ? (
        <Form method="post" id="bulk-assign" ref={bulkForm} className="card inline-form" aria-label="Assign selected items">
          <input type="hidden" name="intent" value="assign" />
          <input type="hidden" name="view" value={params.get("view") ?? ""} />
          <FormError error={result?.errors?.itemIds ?? result?.errors?.ownerEmail} />
          <label>
            Owner{" "}
            <select name="ownerEmail" defaultValue="">
              <option value="">(keep)</option>
              <option value="none">Nobody</option>
              {d.members.map((m) => (
                <option key={m.email} value={m.email}>
                  {m.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Team <input name="team" />
          </label>
          <button type="submit">Assign selected</button>
        </Form>
      ) : null}
    </>
  );
}
