import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import { env } from "../../utils/env.server";
import { publicOnlyLookup, RefusedAddressError, refusedByItsHost, refusedLiteral, refusedRemote } from "../../utils/public-address.server";
import type { AttemptResult } from "./delivery";

/**
 * Posts one webhook message, signed per the Standard Webhooks specification
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`; the
 * `standardwebhooks` package signs), to a receiver on the public internet.
 *
 * Server-side request forgery is refused where it matters: at the address
 * the socket actually connects to (app/utils/public-address.server.ts: our
 * DNS lookup, literal IPs up front, the connected address).
 * WEBHOOK_ALLOW_PRIVATE=1 lifts the refusal for on-premises receivers and the
 * tests. Redirects are not followed.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer the delivery log keeps. */
const ANSWER_LIMIT = 2_048;

const allowPrivate = () => env().WEBHOOK_ALLOW_PRIVATE;
const lookup = publicOnlyLookup(allowPrivate);

/** Why a receiver's URL can be refused as soon as it is registered (a literal private IP, localhost), or null. */
export function refusedReceiver(url: string): string | null {
  return refusedByItsHost(new URL(url), allowPrivate);
}

export type WebhookRequest = { url: string; secret: string; messageId: string; timestamp: Date; payload: string };

/** The three Standard Webhooks headers for one message. */
export function signatureHeaders({ secret, messageId, timestamp, payload }: Omit<WebhookRequest, "url">): Record<string, string> {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, timestamp, payload),
  };
}

/** POSTs the message; a 2xx answer is a delivery, anything else (or no answer in time) a failed attempt. */
export function postWebhook(request: WebhookRequest): Promise<AttemptResult> {
  const url = new URL(request.url);
  // A literal IP in the URL skips the lookup: check it here.
  const why = refusedLiteral(url, allowPrivate);
  if (why) return Promise.resolve({ ok: false, statusCode: null, error: new RefusedAddressError(why).message });
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: "POST",
        lookup,
        timeout: WEBHOOK_TIMEOUT_MS,
        headers: {
          "content-type": "application/json",
          "user-agent": "ai-maturity-portal-webhooks/1",
          ...signatureHeaders(request),
        },
      },
      (res) => {
        let answer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (answer.length < ANSWER_LIMIT) answer += chunk;
        });
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          resolve(
            status >= 200 && status < 300
              ? { ok: true, statusCode: status }
              : { ok: false, statusCode: status, error: `answered ${status}${answer ? `: ${answer.slice(0, 200)}` : ""}` },
          );
        });
      },
    );
    req.on("socket", (socket) => {
      // Belt and braces: the address actually connected to, whatever resolved it. A kept-alive socket was checked
      // when it connected and never connects again: listening on it would pile up one listener per delivery.
      if (!socket.connecting) return;
      socket.once("connect", () => {
        const refused = refusedRemote(socket.remoteAddress, allowPrivate);
        if (refused) req.destroy(new RefusedAddressError(refused));
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`)));
    req.on("error", (error) => resolve({ ok: false, statusCode: null, error: error.message }));
    req.end(request.payload);
  });
}
