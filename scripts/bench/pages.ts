/**
 * The pages the budgets cover, on the large organisation, and the random
 * order in which the mixed load's connections request them.
 */

export type PageKey =
  "dashboard" | "models" | "modelsFiltered" | "model" | "audit" | "assessment" | "roadmap" | "assessments" | "reviews" | "signIn";

export type BenchPage = { key: PageKey; name: string; path: string };

/** What the pages need to know of the organisation `bench:seed` built. */
export type BenchOrg = { slug: string; modelSlug: string; assessmentId: number; roadmapId: number };

/** The signed-in pages people wait for: the server-time budget covers each, the mixed load requests them all. */
export function memberPages(org: BenchOrg): BenchPage[] {
  const base = `/orgs/${org.slug}`;
  return [
    { key: "dashboard", name: "Dashboard", path: base },
    { key: "models", name: "Model list", path: `${base}/models` },
    { key: "modelsFiltered", name: "Model list (filtered)", path: `${base}/models?riskTier=high&sort=-updated` },
    { key: "model", name: "Model detail", path: `${base}/models/${org.modelSlug}` },
    { key: "audit", name: "Audit log", path: `${base}/audit` },
    { key: "assessment", name: "Assessment", path: `${base}/assessments/${org.assessmentId}` },
    { key: "roadmap", name: "Roadmap", path: `${base}/roadmaps/${org.roadmapId}` },
    { key: "assessments", name: "Assessment list", path: `${base}/assessments` },
    { key: "reviews", name: "Reviews", path: `${base}/reviews` },
  ];
}

/** The lightest real page (anonymous, no queries): the floor of this server and framework. */
export const SIGN_IN_PAGE: BenchPage = { key: "signIn", name: "Sign-in page", path: "/login" };

/**
 * An endless random order of `pages` for one connection: rounds in which every
 * page comes once, each round shuffled (Fisher–Yates), so every page is
 * requested about equally often however short the run.
 */
export function pageMix<T>(pages: readonly T[], random: () => number): () => T {
  if (pages.length === 0) throw new Error("pageMix needs at least one page");
  let round: T[] = [];
  return () => {
    if (round.length === 0) {
      round = [...pages];
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    return round.pop()!;
  };
}
