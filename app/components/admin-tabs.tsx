import { NavLink } from "@remix-run/react";

export function AdminTabs({ orgSlug }: { orgSlug: string }) {
  return (
    <nav className="tabs" aria-label="Administration">
      <NavLink to={`/orgs/${orgSlug}/admin`} end>
        Members and roles
      </NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/tokens`}>API tokens</NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/settings`}>Settings</NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/approval-policies`}>Approval policies</NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/webhooks`}>Webhooks</NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/deliveries`}>Deliveries</NavLink>
      <NavLink to={`/orgs/${orgSlug}/admin/sso`}>Single sign-on</NavLink>
    </nav>
  );
}
