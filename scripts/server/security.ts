/** HTTP hardening shared by the server and its tests. */

/**
 * `formActions`: origins besides the portal's own a form's navigation may end at, redirects included (Chromium
 * checks `form-action` against each redirect): the single sign-on provider, where the sign-in form's email step
 * redirects.
 */
export function contentSecurityPolicy(nonce: string, { dev = false, formActions = [] as readonly string[] } = {}): string {
  return [
    "default-src 'self'",
    // Remix hydration data is an inline script carrying this nonce.
    `script-src 'self' 'nonce-${nonce}'${dev ? " 'unsafe-inline'" : ""}`,
    // Inline style attributes are used for progress bars and chart sizing.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    ["form-action 'self'", ...formActions].join(" "),
    "frame-ancestors 'none'",
  ].join("; ");
}

/** A year; subdomains of the portal's host included. Not preloaded: that is the operator's choice. */
export const HSTS = "max-age=31536000; includeSubDomains";

/**
 * The headers every answer carries. `hsts` (set when the session cookie is
 * `Secure`, i.e. the portal is served over HTTPS, usually behind a TLS proxy)
 * adds Strict-Transport-Security, so a browser never again tries plain HTTP.
 */
export function securityHeaders(
  nonce: string,
  options: { dev?: boolean; hsts?: boolean; formActions?: readonly string[] } = {},
): Record<string, string> {
  return {
    ...(options.hsts ? { "Strict-Transport-Security": HSTS } : {}),
    "Content-Security-Policy": contentSecurityPolicy(nonce, options),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Browsers send Origin (and Sec-Fetch-Site) with every form post. A
 * state-changing request whose origin is another site is refused. API calls
 * authenticated by a bearer token carry no ambient credentials, so they pass.
 */
export function isCrossOriginMutation(request: {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  hasBearerToken: boolean;
}): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return false;
  if (request.hasBearerToken) return false;
  if (request.origin && request.origin !== "null") {
    try {
      return new URL(request.origin).host !== request.host;
    } catch {
      return true;
    }
  }
  if (request.origin === "null") return true;
  return request.secFetchSite === "cross-site" || request.secFetchSite === "same-site";
}

/**
 * A `?_data=` request: how Remix fetched loader data before single fetch. Nothing of the portal
 * makes one (it fetches `.data` URLs), and stock Remix still answers it on a path of its own, which
 * logs a warning with a stack for each and fails with a 500 when a loader returns null. Refused.
 */
export function isLegacyDataRequest(url: string): boolean {
  const queryStart = url.indexOf("?");
  return queryStart >= 0 && url.includes("_data", queryStart) && new URLSearchParams(url.slice(queryStart + 1)).has("_data");
}
