import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce";
import { apiError } from "./modules/http/api.server";

export const streamTimeout = 5_000;

/**
 * Server-side errors go to the log, with their stack, unless they are ordinary: a request the
 * client got wrong (a URL that matches no route, a 404 for a missing record, `/favicon.ico`
 * from an old browser, a POST to a page without a form: 4xx answers) or a request the client
 * gave up on. Those are answered with their status page, and the request log line
 * (scripts/server/request-log.ts) records them.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error(error);
};

/**
 * Renders the whole document, then sends it as one buffer. Nothing in the app
 * defers data (no `defer`/Suspense), so streaming would only cut the HTML into
 * many small writes, each paying for a compression flush and a socket write;
 * one buffer is measurably cheaper (scripts/bench) and gets a Content-Length.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // A path under /api/ that no route matches answers in the API's JSON, never with the HTML 404 page
  // (Remix's splat routes do not match a path holding an encoded line break, e.g. /api/v1/models/%0A).
  if (responseStatusCode === 404 && new URL(request.url).pathname.startsWith("/api/")) {
    return apiError(404, "not_found", "No such API endpoint");
  }
  const nonce = loadContext.cspNonce;
  return new Promise<Response>((resolve, reject) => {
    let timeout: ReturnType<typeof setTimeout> | undefined = undefined;
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        clearTimeout(timeout);
        const html = Buffer.concat(chunks);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        responseHeaders.set("Content-Length", String(html.byteLength));
        resolve(
          new Response(new Uint8Array(html.buffer, html.byteOffset, html.byteLength), {
            headers: responseHeaders,
            status: responseStatusCode,
          }),
        );
        done();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          pipe(collect);
        },
        onShellError(error: unknown) {
          clearTimeout(timeout);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          console.error(error);
        },
      },
    );
    timeout = setTimeout(abort, streamTimeout + 1000);
  });
}
