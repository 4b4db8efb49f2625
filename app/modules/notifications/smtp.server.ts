import { createTransport } from "nodemailer";
import type { outboxMessages } from "../../../db/schema";
import { env } from "../../utils/env.server";
import type { ComposedEmail } from "./email.server";
import type { AttemptResult } from "./delivery";

/**
 * Email goes out through the SMTP server SMTP_URL names (nodemailer), from
 * MAIL_FROM. One transport per URL, kept for the process: nodemailer opens a
 * connection per message, so there is nothing to drain at shutdown.
 */

type Transport = ReturnType<typeof createTransport>;
let cached: { url: string; transport: Transport } | undefined;

export function smtpConfigured(): boolean {
  return env().SMTP_URL !== undefined;
}

function transport(url: string): Transport {
  if (cached?.url !== url) {
    // Time out a server that does not answer rather than holding the delivery job (default: 2 minutes or more).
    cached = { url, transport: createTransport(url + (url.includes("?") ? "&" : "?") + "connectionTimeout=10000&socketTimeout=20000") };
  }
  return cached.transport;
}

/** Sends one outbox email; the message id becomes the email's Message-ID, so a repeat is recognisable. */
export async function sendEmail(message: typeof outboxMessages.$inferSelect): Promise<AttemptResult> {
  const { SMTP_URL, MAIL_FROM } = env();
  if (!SMTP_URL) return { ok: false, statusCode: null, error: "not sent: no SMTP configured" };
  if (!message.toEmail) return { ok: false, statusCode: null, error: "no recipient address" };
  const email = JSON.parse(message.body) as ComposedEmail;
  const domain = /@([^>\s]+)>?\s*$/.exec(MAIL_FROM)?.[1] ?? "localhost";
  try {
    const info = await transport(SMTP_URL).sendMail({
      from: MAIL_FROM,
      to: message.toEmail,
      subject: message.subject,
      text: email.text,
      html: email.html,
      messageId: `<${message.messageId}@${domain}>`,
      headers: {
        "X-Portal-Event": message.eventType,
        // RFC 8058: mail clients may unsubscribe with one POST to the link, no page in between.
        ...(email.unsubscribeUrl ? { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {}),
      },
      ...(email.unsubscribeUrl ? { list: { unsubscribe: { url: email.unsubscribeUrl, comment: "Stop these emails" } } } : {}),
    });
    return { ok: true, statusCode: Number(/^(\d{3})/.exec(info.response ?? "")?.[1] ?? 250) };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode ?? null;
    return { ok: false, statusCode: code, error: error instanceof Error ? error.message : String(error) };
  }
}
