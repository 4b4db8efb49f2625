import { createHash, randomBytes } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { createCookie, type Cookie } from "@remix-run/node";
import type { DbOrTx } from "../../../db/client";
import { knownDevices } from "../../../db/schema";
import { env } from "../../utils/env.server";
import { formatDateTime } from "../../utils/format";
import { notify } from "../notifications/notifications.server";
import { describeUserAgent } from "./user-agent";

/**
 * Browsers a person signs in from. Each browser carries a long-lived random
 * id (cookie `portal_device`; only its SHA-256 is stored per account). A
 * sign-in from a browser the account has not used before emails the person,
 * except the very first sign-in of an account, which has nothing to compare.
 */

const DEVICE_COOKIE = "portal_device";
/** Browsers keep a cookie at most about 400 days. */
const DEVICE_COOKIE_DAYS = 400;
const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;

let cookie: Cookie | undefined;
function deviceCookie(): Cookie {
  cookie ??= createCookie(DEVICE_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: env().COOKIE_SECURE,
    maxAge: DEVICE_COOKIE_DAYS * 24 * 60 * 60,
  });
  return cookie;
}

const hashOf = (id: string) => createHash("sha256").update(id).digest("hex");

/** The browser's device id, when it sent a well-formed one. */
export async function deviceIdOf(request: Request): Promise<string | null> {
  const value: unknown = await deviceCookie().parse(request.headers.get("cookie"));
  return typeof value === "string" && DEVICE_ID.test(value) ? value : null;
}

/**
 * Records this sign-in's browser (`sent`: the id it came with, from
 * `deviceIdOf`) for the account, in the sign-in's transaction. Returns the
 * new id to set (`deviceCookieHeader`) for a browser that had none yet.
 */
export function recordSignInDevice(
  tx: DbOrTx,
  user: { id: number },
  sent: string | null,
  details: { address: string; userAgent: string },
  now = new Date(),
): string | null {
  const id = sent ?? randomBytes(32).toString("base64url");
  const hash = hashOf(id);
  const known = tx
    .select({ id: knownDevices.id })
    .from(knownDevices)
    .where(and(eq(knownDevices.userId, user.id), eq(knownDevices.deviceHash, hash)))
    .get();
  if (known) {
    tx.update(knownDevices).set({ lastSeenAt: now }).where(eq(knownDevices.id, known.id)).run();
  } else {
    const before = tx.select({ n: count() }).from(knownDevices).where(eq(knownDevices.userId, user.id)).get()!.n;
    tx.insert(knownDevices)
      .values({ userId: user.id, deviceHash: hash, userAgent: details.userAgent.slice(0, 300), firstSeenAt: now, lastSeenAt: now })
      .run();
    if (before > 0) {
      const browser = details.userAgent ? describeUserAgent(details.userAgent) : "an unknown browser";
      notify(
        tx,
        {
          orgId: null,
          type: "account.new_device",
          recipients: [user.id],
          title: "New sign-in to your account",
          body:
            `Someone signed in to your account from ${browser} (${details.address || "an unknown address"}) at ` +
            `${formatDateTime(now.toISOString())}. If this was you, there is nothing to do. If not, change your password now and ` +
            `sign out everywhere from your account page.`,
          path: "/account",
          data: { address: details.address, browser },
        },
        now,
      );
    }
  }
  return sent ? null : id;
}

/** The Set-Cookie header that gives a browser its device id. */
export function deviceCookieHeader(id: string): Promise<string> {
  return deviceCookie().serialize(id);
}
