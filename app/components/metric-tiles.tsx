import type { RegistryMetrics } from "~/modules/registry/metrics.server";
import { formatHours, formatNumber, formatPercent } from "~/utils/format";

const LEAD_TIME_FROM = {
  commit: "from commit",
  registration: "from registration",
  mixed: "from commit where known, else registration",
} as const;

/** Says what the lead time runs from; figures frozen before the basis was recorded have none. */
function leadTimeLabel(basis: RegistryMetrics["leadTimeBasis"] | undefined) {
  return basis ? `Median lead time to production (${LEAD_TIME_FROM[basis]})` : "Median lead time to production";
}

/** The registry's figures as tiles; the same labels serve the dashboard and reports. */
export function registryMetricRows(m: RegistryMetrics) {
  return [
    { key: "productionModels", label: "Models in production", value: String(m.productionModels) },
    { key: "modelsTotal", label: "Models registered", value: String(m.modelsTotal) },
    { key: "incidentsInWindow", label: "Incidents in window", value: String(m.incidentsInWindow) },
    { key: "incidentRate", label: "Incident rate (incidents ÷ production models)", value: formatPercent(m.incidentRate) },
    {
      key: "productionModelsWithIncidentShare",
      label: "Production models with an incident",
      value: formatPercent(m.productionModelsWithIncidentShare),
    },
    { key: "medianTimeToDetectHours", label: "Median time to detect", value: formatHours(m.medianTimeToDetectHours) },
    { key: "medianTimeToRecoverHours", label: "Median time to recover", value: formatHours(m.medianTimeToRecoverHours) },
    { key: "deploymentsPerMonth", label: "Production promotions per month", value: formatNumber(m.deploymentsPerMonth) },
    { key: "medianLeadTimeHours", label: leadTimeLabel(m.leadTimeBasis), value: formatHours(m.medianLeadTimeHours) },
    { key: "lineageCompleteShare", label: "Production versions with complete lineage", value: formatPercent(m.lineageCompleteShare) },
    { key: "apiRegistrationShare", label: "Versions registered through the API", value: formatPercent(m.apiRegistrationShare) },
    { key: "sloBreaches", label: "Monitoring snapshots breaching an objective", value: String(m.sloBreaches) },
    { key: "approvalGatedShare", label: "Promotions through an approved request", value: formatPercent(m.approvalGatedShare) },
    { key: "approvedCardShare", label: "Production versions with an approved model card", value: formatPercent(m.approvedCardShare) },
    { key: "passingAuditShare", label: "Production versions with a passing audit (90 days)", value: formatPercent(m.passingAuditShare) },
    {
      key: "medianApprovalDecisionHours",
      label: "Median time from request to decision",
      value: formatHours(m.medianApprovalDecisionHours),
    },
    { key: "openApprovalRequests", label: "Open approval requests", value: String(m.openApprovalRequests) },
  ];
}

export function MetricTiles({ metrics }: { metrics: RegistryMetrics }) {
  return (
    <div className="grid" data-testid="registry-metrics">
      {registryMetricRows(metrics).map((row) => (
        <div key={row.key} className="tile" data-metric={row.key}>
          <div className="tile-label">{row.label}</div>
          <div className="tile-value">{row.value}</div>
        </div>
      ))}
    </div>
  );
}
