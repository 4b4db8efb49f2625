import { useLocation } from "@remix-run/react";
import { useEffect, useRef, useState, type ReactNode } from "react";

/** The id of the top bar's folding part, which this toggle opens (the bar in app/root.tsx). */
export const TOPBAR_MENU_ID = "topbar-menu";

/**
 * The top bar's "Menu" on a phone (below 760 px the rest of the bar folds into it; the styles open it, as the
 * sibling before `#topbar-menu`). Without JavaScript a checkbox and its label, so it opens all the same; once the
 * page runs, a disclosure button: it says whether the menu is open (`aria-expanded`), and Escape closes it, giving
 * focus back to the button when it was inside the menu. Either way a new page starts with it closed.
 * `children`: what the button shows beside its word (the inbox count).
 */
export function TopbarMenuToggle({ children }: { children?: ReactNode }) {
  const { pathname } = useLocation();
  const [interactive, setInteractive] = useState(false);
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => setInteractive(true), []);
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      if (document.getElementById(TOPBAR_MENU_ID)?.contains(document.activeElement)) button.current?.focus();
    };
    document.addEventListener("keydown", closeOnEscape);
    return () => document.removeEventListener("keydown", closeOnEscape);
  }, [open]);
  if (!interactive) {
    return (
      <>
        <input type="checkbox" id="topbar-menu-toggle" key={pathname} className="topbar-menu-toggle" aria-controls={TOPBAR_MENU_ID} />
        <label htmlFor="topbar-menu-toggle" className="topbar-menu-button">
          Menu
          {children}
        </label>
      </>
    );
  }
  return (
    <button
      type="button"
      ref={button}
      className="topbar-menu-button"
      aria-expanded={open}
      aria-controls={TOPBAR_MENU_ID}
      onClick={() => setOpen((was) => !was)}
    >
      Menu
      {children}
    </button>
  );
}
