import { useEffect, useState } from "react";

/**
 * Whether the page runs JavaScript yet: false in the server's HTML and the first render in the browser (so both
 * match), true from then on. For what only works with JavaScript (a Copy button), or what JavaScript hides.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
