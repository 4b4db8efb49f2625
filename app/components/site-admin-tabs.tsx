import { NavLink } from "@remix-run/react";

/** The site administrator's pages. */
export function SiteAdminTabs() {
  return (
    <nav className="tabs" aria-label="Site administration">
      <NavLink to="/admin/organizations">Organisations</NavLink>
      <NavLink to="/admin/frameworks">Framework versions</NavLink>
      <NavLink to="/admin/domains">Single sign-on domains</NavLink>
    </nav>
  );
}
