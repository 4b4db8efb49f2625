import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { Webhook } from "standardwebhooks";
import { env } from "../../utils/env.server";
import type { AttemptResult } from "./delivery";

/**
 * Posts one webhook message, signed per the Standard Webhooks specification
 * (`webhook-id`, `webhook-timestamp`, `webhook-signature`; the
 * `standardwebhooks` package signs), to a receiver on the public internet.
 *
 * Server-side request forgery is refused where it matters: at the address
 * the socket actually connects to. The connection's DNS lookup is ours, and
 * it fails for any address that is not public unicast (private, loopback,
 * link-local, unique-local, CGNAT, multicast, reserved, IPv4-mapped forms of
 * those), so a name that resolves to 127.0.0.1 or re-resolves between check
 * and connect cannot reach inside. WEBHOOK_ALLOW_PRIVATE=1 lifts the refusal
 * for on-premises receivers and the tests. Redirects are not followed.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How much of a receiver's answer the delivery log keeps. */
const ANSWER_LIMIT = 2_048;

/** Why an address may not be reached, or null when it may. */
export function refusedAddress(address: string): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 address it maps
  const range = parsed.range();
  return range === "unicast" ? null : `${parsed.toString()} is a ${range} address`;
}

class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

/** dns.lookup, refusing every answer that is not a public address (unless private ones are allowed). */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as dns.LookupAddress[];
    const allowPrivate = env().WEBHOOK_ALLOW_PRIVATE;
    const usable = allowPrivate ? list : list.filter((a) => refusedAddress(a.address) === null);
    if (usable.length === 0) {
      const why = list.map((a) => refusedAddress(a.address)).find(Boolean) ?? "no address";
      return callback(new RefusedAddressError(`refused: ${hostname} resolves to a non-public address (${why})`), "", 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  });
};

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
  const literal = url.hostname.replace(/^\[|\]$/g, "");
  if (ipaddr.isValid(literal) && !env().WEBHOOK_ALLOW_PRIVATE) {
    const why = refusedAddress(literal);
    if (why) return Promise.resolve({ ok: false, statusCode: null, error: `refused: ${why}` });
  }
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: "POST",
        lookup: guardedLookup,
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
        const remote = socket.remoteAddress;
        if (remote && !env().WEBHOOK_ALLOW_PRIVATE && refusedAddress(remote)) {
          req.destroy(new RefusedAddressError(`refused: connected to ${refusedAddress(remote)}`));
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`)));
    req.on("error", (error) => resolve({ ok: false, statusCode: null, error: error.message }));
    req.end(request.payload);
  });
}
