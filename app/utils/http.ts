/**
 * The one way routes refuse a request: throw the Response, and the
 * GeneralErrorBoundary renders it.
 */
export function httpError(status: 400 | 403 | 404 | 409 | 413 | 422 | 429, message: string): Response {
  return new Response(message, { status, statusText: message });
}

export const notFound = (message = "Not found") => httpError(404, message);
export const forbidden = (message = "You do not have permission to do that") =>
  httpError(403, message);

/** Only same-site relative paths may be redirected to after sign-in. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || /[\u0000-\u001F\u007F\\]/.test(to)) return fallback;
  // Browsers drop tabs and newlines and read "\\" as "/", so resolve the path as they would.
  const resolved = new URL(to, "http://portal.invalid");
  return resolved.host === "portal.invalid" ? to : fallback;
}
