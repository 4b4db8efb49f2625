import { createHmac, timingSafeEqual } from "node:crypto";
import { Fragment } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { env } from "../../utils/env.server";
import { secretsKey } from "../../utils/keys.server";
import { CATEGORY_LABELS, EVENT_TYPES, NOTIFICATION_CATEGORIES, type EventType, type NotificationCategory } from "./notification-constants";

/** The portal's address as people reach it: PUBLIC_URL, else this server on localhost. */
export function publicUrl(): string {
  const { PUBLIC_URL, PORT } = env();
  return PUBLIC_URL ?? `http://localhost:${PORT}`;
}

/** An email as the outbox keeps it until it is sent. */
export type ComposedEmail = { text: string; html: string; unsubscribeUrl: string | null };

// Unsubscribe links carry the person and category with an HMAC under the secrets key: no sign-in needed,
// and nobody can unsubscribe someone else. `u<id>.<category>.<mac>`.
const unsubscribeMac = (userId: number, category: NotificationCategory) =>
  createHmac("sha256", secretsKey()).update(`unsubscribe:${userId}:${category}`).digest("base64url").slice(0, 32);

export function unsubscribeToken(userId: number, category: NotificationCategory): string {
  return `u${userId}.${category}.${unsubscribeMac(userId, category)}`;
}

/** The person and category an unsubscribe token names, or null when it is not one of ours. */
export function readUnsubscribeToken(token: string): { userId: number; category: NotificationCategory } | null {
  const match = /^u(\d+)\.([a-z]+)\.([\w-]{32})$/.exec(token);
  if (!match) return null;
  const userId = Number(match[1]);
  const category = NOTIFICATION_CATEGORIES.find((c) => c === match[2]);
  if (!category || category === "account") return null;
  const expected = Buffer.from(unsubscribeMac(userId, category));
  const given = Buffer.from(match[3]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { userId, category } : null;
}

function EmailBody({ title, body, link, unsubscribe }: { title: string; body: string; link: string; unsubscribe: string | null }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", lineHeight: 1.5, color: "#1f2933", maxWidth: "36rem" }}>
        <h1 style={{ fontSize: "1.2rem" }}>{title}</h1>
        {body.split(/\n{2,}/).map((paragraph, i) => (
          <p key={i}>
            {paragraph.split("\n").map((line, j) => (
              <Fragment key={j}>
                {j > 0 ? <br /> : null}
                {line}
              </Fragment>
            ))}
          </p>
        ))}
        <p>
          <a href={link}>Open it in the portal</a>
        </p>
        {unsubscribe ? (
          <p style={{ fontSize: "0.85rem", color: "#52606d" }}>
            You receive these as a member of the portal. <a href={unsubscribe}>Stop these emails</a> (you will still see them in the
            portal).
          </p>
        ) : null}
      </body>
    </html>
  );
}

/** Plain text plus simple HTML for one event and recipient; account messages carry no unsubscribe link. */
export function composeEmail(event: { type: EventType; title: string; body?: string; path: string }, userId: number | null): ComposedEmail {
  const category = EVENT_TYPES[event.type].category;
  const link = publicUrl() + event.path;
  const unsubscribeUrl =
    userId !== null && category !== "account" ? `${publicUrl()}/unsubscribe/${unsubscribeToken(userId, category)}` : null;
  const body = event.body ?? "";
  const text = [
    event.title,
    "",
    ...(body ? [body, ""] : []),
    `Open it in the portal: ${link}`,
    ...(unsubscribeUrl ? ["", `You get these emails for: ${CATEGORY_LABELS[category]}. Stop them: ${unsubscribeUrl}`] : []),
  ].join("\n");
  const html =
    "<!DOCTYPE html>" + renderToStaticMarkup(<EmailBody title={event.title} body={body} link={link} unsubscribe={unsubscribeUrl} />);
  return { text, html, unsubscribeUrl };
}
