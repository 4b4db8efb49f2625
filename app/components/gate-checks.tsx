import { Link } from "@remix-run/react";
import type { GateCheck } from "~/modules/governance/gates";
import { RiskAcceptanceNote } from "./bias-audit";

/**
 * The promotion gates of a version, each with its result; a risk acceptance behind the audit gate is spelled out,
 * and a newer failed audit that blocks it is linked (given the organisation's slug).
 */
export function GateChecks({ checks, orgSlug }: { checks: GateCheck[]; orgSlug?: string }) {
  return (
    <ul className="gate-checks" aria-label="Gate checks">
      {checks.map((check) => (
        <li key={check.id} data-check={check.id} data-passed={check.passed}>
          <span className={check.passed ? "gate-pass" : check.required ? "gate-fail" : "muted"} aria-hidden="true">
            {check.passed ? "✔" : check.required ? "✘" : "–"}
          </span>{" "}
          <strong>{check.label}</strong>
          {check.required ? "" : " (not required)"}: <span className="muted">{check.detail}</span>
          <span className="visually-hidden">{check.passed ? " passed" : check.required ? " failed" : " not required"}</span>
          {check.blockingAudit && orgSlug ? (
            <>
              {" "}
              <Link to={`/orgs/${orgSlug}/bias-audits/${check.blockingAudit.auditId}`} data-testid="blocking-audit">
                Open audit #{check.blockingAudit.auditId}
              </Link>
            </>
          ) : null}
          {check.riskAcceptance ? (
            <RiskAcceptanceNote acceptance={check.riskAcceptance} counts={check.required ? check.riskAcceptance.counts : undefined} />
          ) : null}
        </li>
      ))}
    </ul>
  );
}
