/**
 * The fixed path words of the app's routes (Remix flat-file routes in
 * app/routes), for tests that check a slug can never collide with a page.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./page-urls";

/**
 * The path words that follow `prefix` (a route-file prefix such as
 * "orgs.$orgSlug.models.") in some route file: "new" for
 * orgs.$orgSlug.models.new.tsx. Parameters ($x), index and pathless
 * layout segments (_x) are not words; `x_` (escaping the layout) is "x".
 */
export function staticRouteWords(prefix: string): string[] {
  const words = new Set<string>();
  for (const file of readdirSync(path.join(REPO_ROOT, "app/routes"))) {
    if (!file.startsWith(prefix)) continue;
    const segment = file
      .slice(prefix.length)
      .replace(/\.(tsx?|jsx?)$/, "")
      .split(/\.(?![^[]*\])/)[0]!
      .replace(/\[(.*?)\]/g, "$1")
      .replace(/_$/, "");
    if (segment && !segment.startsWith("$") && !segment.startsWith("_")) words.add(segment);
  }
  return [...words].sort();
}
