import fs from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createCookie, createSessionStorage, redirect, type Cookie } from "@remix-run/node";
import { deviceCookieHeader, deviceIdOf, recordSignInDevice } from "./devices.server";
import { and, eq, lt, or, sql } from "drizzle-orm";
import { databaseFile, getDb, reusableQuery, writeTransaction, type DbOrTx } from "../../../db/client";
import { recordAuditEvent } from "../audit/audit.server";
import { loginFailures, sessions, users } from "../../../db/schema";
import { env } from "../../utils/env.server";
import { forbidden } from "../../utils/http";
import { absoluteEnd, HOUR_MS, isSessionLive, lastSeenIsStale, type Lifetimes } from "./session-lifetime";
import { THROTTLE_WINDOW_MS } from "./throttle-policy";

/**
 * Server-side sessions. The cookie carries only a random 256-bit id (signed
 * with SESSION_SECRET as well); the `sessions` table keeps its SHA-256, the
 * user, the client, and the idle and absolute ends, which the server enforces.
 * Each sign-in starts a new session; signing out ends that session only.
 */

export const SESSION_COOKIE_NAME = "__portal_session";

/**
 * SESSION_SECRET may hold several comma-separated secrets (newest first) for
 * rotation. Without it, a secret is generated once into data/ so a fresh
 * checkout just works; production deployments should set it.
 */
export function sessionSecrets(): string[] {
  const fromEnv = env().SESSION_SECRET;
  if (fromEnv.length) return fromEnv;
  const dataDir = path.dirname(path.resolve(databaseFile()));
  const file = path.join(dataDir, "session-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600 });
    console.warn(`[portal] SESSION_SECRET is not set; generated one into ${file}. Set SESSION_SECRET in production.`);
  }
  return [fs.readFileSync(file, "utf8").trim()];
}

/** Every request asks (reading the environment costs tens of microseconds a time): one read of both. */
function lifetimes(): Lifetimes {
  const { SESSION_IDLE_HOURS, SESSION_MAX_DAYS } = env();
  return { idleHours: SESSION_IDLE_HOURS, maxDays: SESSION_MAX_DAYS };
}

let cookie: Cookie | undefined;

/** The session cookie: the browser may keep it up to the absolute lifetime; the server decides when the session ends. */
export function sessionCookie(): Cookie {
  cookie ??= createCookie(SESSION_COOKIE_NAME, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: env().COOKIE_SECURE,
    secrets: sessionSecrets(),
    maxAge: lifetimes().maxDays * 24 * 60 * 60,
  });
  return cookie;
}

/**
 * A signed (SESSION_SECRET), HTTP-only, Lax cookie for a short step of signing in or out, made on first use: the
 * provider's redirect back and the sign-in page after sign-out are top-level GETs, which Lax cookies go with.
 */
export function shortLivedCookie(name: string, path: string, maxAgeSeconds: number): () => Cookie {
  let made: Cookie | undefined;
  return () =>
    (made ??= createCookie(name, {
      httpOnly: true,
      sameSite: "lax",
      path,
      secure: env().COOKIE_SECURE,
      secrets: sessionSecrets(),
      maxAge: maxAgeSeconds,
    }));
}

/** 32 random bytes, base64url: what the cookie carries. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const newSessionId = () => randomBytes(32).toString("base64url");
const hashSessionId = (id: string) => createHash("sha256").update(id).digest("hex");

/** Set by the server from the socket (or X-Forwarded-For when TRUST_PROXY says how many proxies are in front). */
export function clientIp(request: Request): string {
  return request.headers.get("x-portal-client-ip") ?? "unknown";
}

const userAgentOf = (request: Request) => (request.headers.get("user-agent") ?? "").slice(0, 300);

function insertSession(
  tx: DbOrTx,
  userId: number,
  client: { address: string; userAgent: string },
  sso: { issuer: string; provider: string } | null = null,
): string {
  const id = newSessionId();
  const now = Date.now();
  tx.insert(sessions)
    .values({
      idHash: hashSessionId(id),
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt: absoluteEnd(now, lifetimes()),
      clientAddress: client.address,
      userAgent: client.userAgent,
      ssoIssuer: sso?.issuer ?? null,
      ssoProvider: sso?.provider ?? null,
    })
    .run();
  return id;
}

type SessionData = { userId: number };
type SessionFlash = { toast: string };

let storage: ReturnType<typeof createSessionStorage<SessionData, SessionFlash>> | undefined;

/**
 * Remix's session API over the same table and cookie (for code that sets a
 * `userId` and commits); sign-in goes through `createUserSession`, which also
 * records the client.
 */
export function sessionStorage() {
  storage ??= createSessionStorage<SessionData, SessionFlash>({
    cookie: sessionCookie(),
    createData: async (data) => {
      if (typeof data.userId !== "number") throw new Error("A session needs a userId");
      const userId = data.userId;
      return writeTransaction("bookkeeping", (tx) => insertSession(tx, userId, { address: "", userAgent: "" }));
    },
    readData: async (id) => {
      const row = typeof id === "string" && SESSION_ID.test(id) ? sessionByHash().get({ idHash: hashSessionId(id) }) : undefined;
      return row && isSessionLive(row, lifetimes(), Date.now()) ? { userId: row.userId } : null;
    },
    updateData: async () => {},
    deleteData: async (id) => {
      writeTransaction("bookkeeping", (tx) =>
        tx
          .delete(sessions)
          .where(eq(sessions.idHash, hashSessionId(id)))
          .run(),
      );
    },
  });
  return storage;
}

export function getSession(request: Request) {
  return sessionStorage().getSession(request.headers.get("Cookie"));
}

export type SessionUser = { id: number; email: string; name: string; isSiteAdmin: boolean };

/**
 * This request's session: its row id, the account's landing organisation, and the single sign-on it came through
 * (the issuer, and the provider: "env" or an organisation's provider's id; null for a password sign-in).
 */
export type CurrentSession = {
  sessionId: number;
  userId: number;
  lastOrgId: number | null;
  ssoIssuer: string | null;
  ssoProvider: string | null;
};

const sessionByHash = reusableQuery((db) =>
  db
    .select({
      sessionId: sessions.id,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      isSiteAdmin: users.isSiteAdmin,
      active: users.active,
      lastOrgId: users.lastOrgId,
      ssoIssuer: sessions.ssoIssuer,
      ssoProvider: sessions.ssoProvider,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, sql.placeholder("idHash"))),
);

// The root, layout and page loaders of one request all ask; each request's answer is read once.
const sessionUsers = new WeakMap<Request, Promise<(SessionUser & { session: CurrentSession }) | null>>();

function readOnce(request: Request) {
  let found = sessionUsers.get(request);
  if (!found) {
    found = readSessionUser(request);
    sessionUsers.set(request, found);
  }
  return found;
}

/**
 * The signed-in, active user, or null. The session and its user are read on
 * every request (one query), so an ended session, an expired one or a
 * deactivated account is anonymous at once.
 */
export async function getSessionUser(request: Request): Promise<SessionUser | null> {
  const found = await readOnce(request);
  if (!found) return null;
  const { session: _session, ...user } = found;
  return user;
}

/** The session of this request, or null when anonymous. */
export async function currentSession(request: Request): Promise<CurrentSession | null> {
  return (await readOnce(request))?.session ?? null;
}

async function sessionIdOf(request: Request): Promise<string | null> {
  const header = request.headers.get("Cookie");
  if (!header) return null;
  const id: unknown = await sessionCookie().parse(header);
  return typeof id === "string" && SESSION_ID.test(id) ? id : null;
}

async function readSessionUser(request: Request): Promise<(SessionUser & { session: CurrentSession }) | null> {
  const id = await sessionIdOf(request);
  if (!id) return null;
  const row = sessionByHash().get({ idHash: hashSessionId(id) });
  const now = Date.now();
  if (!row?.active || !isSessionLive(row, lifetimes(), now)) return null;
  if (lastSeenIsStale(row, now)) {
    // Bookkeeping: no cached reader reads sessions, so no change counter moves.
    writeTransaction("bookkeeping", (tx) =>
      tx
        .update(sessions)
        .set({ lastSeenAt: new Date(now) })
        .where(eq(sessions.id, row.sessionId))
        .run(),
    );
  }
  return {
    id: row.userId,
    email: row.email,
    name: row.name,
    isSiteAdmin: row.isSiteAdmin,
    session: {
      sessionId: row.sessionId,
      userId: row.userId,
      lastOrgId: row.lastOrgId,
      ssoIssuer: row.ssoIssuer,
      ssoProvider: row.ssoProvider,
    },
  };
}

export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getSessionUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

/**
 * Starts a new session for a sign-in (the session the request came with, if any, ends) and redirects with its
 * cookie. `options.sso`: the OpenID Connect issuer and provider ("env" or an organisation's provider's id) it came
 * through; `options.headers`: more headers to send; `options.signedInBy`: a sign-in that checked no password here
 * (the password just chosen for a new account, `via` "invitation"), recorded as `auth.login_succeeded` with the session.
 */
export async function createUserSession(
  request: Request,
  userId: number,
  redirectTo: string,
  options: { sso?: { issuer: string; provider: string }; headers?: Headers; signedInBy?: { email: string; via: string } } = {},
) {
  const previous = await sessionIdOf(request);
  const device = await deviceIdOf(request);
  const client = { address: clientIp(request), userAgent: userAgentOf(request) };
  const { signedInBy } = options;
  const { id, newDevice } = writeTransaction("bookkeeping", (tx) => {
    if (previous)
      tx.delete(sessions)
        .where(eq(sessions.idHash, hashSessionId(previous)))
        .run();
    if (signedInBy) {
      recordAuditEvent(tx, {
        orgId: null,
        actor: { type: "user", id: userId, label: signedInBy.email },
        action: "auth.login_succeeded",
        entityType: "user",
        entityId: userId,
        details: { ip: client.address, via: signedInBy.via },
      });
    }
    return {
      id: insertSession(tx, userId, client, options.sso ?? null),
      newDevice: recordSignInDevice(tx, { id: userId }, device, client),
    };
  });
  const headers = new Headers(options.headers);
  headers.append("Set-Cookie", await sessionCookie().serialize(id));
  if (newDevice) headers.append("Set-Cookie", await deviceCookieHeader(newDevice));
  return redirect(redirectTo, { headers });
}

const clearedCookie = () => sessionCookie().serialize("", { expires: new Date(0), maxAge: undefined });

/** Signs out: this session ends (other sessions of the account go on) and the cookie is cleared; `headers`: more to send. */
export async function destroyUserSession(request: Request, redirectTo = "/login", headers: Headers = new Headers()) {
  const id = await sessionIdOf(request);
  const user = await getSessionUser(request);
  if (id) {
    writeTransaction("bookkeeping", (tx) => {
      const ended = tx
        .delete(sessions)
        .where(eq(sessions.idHash, hashSessionId(id)))
        .run().changes;
      if (user && ended) {
        recordAuditEvent(tx, {
          orgId: null,
          actor: { type: "user", id: user.id, label: user.email },
          action: "auth.logout",
          entityType: "user",
          entityId: user.id,
        });
      }
    });
  }
  headers.append("Set-Cookie", await clearedCookie());
  return redirect(redirectTo, { headers });
}

/**
 * Ends every session of an account (sign out everywhere, deactivation, an admin's "end sessions"); returns how many
 * ended that were still live (rows past their end that the scheduler has not deleted yet go too, uncounted).
 */
export function endSessionsOfUser(tx: DbOrTx, userId: number): number {
  const now = Date.now();
  return tx
    .delete(sessions)
    .where(eq(sessions.userId, userId))
    .returning({ lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt })
    .all()
    .filter((row) => isSessionLive(row, lifetimes(), now)).length;
}

/** Ends every session of an account but `keep` (after a password change, the session that changed it goes on). */
export function endOtherSessionsOfUser(tx: DbOrTx, userId: number, keep: number): number {
  return tx
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), sql`${sessions.id} <> ${keep}`))
    .run().changes;
}

/** Signs out everywhere: every session of the signed-in account ends, this one too. */
export async function destroyAllUserSessions(request: Request, redirectTo = "/login") {
  const user = await getSessionUser(request);
  if (user) {
    writeTransaction("bookkeeping", (tx) => {
      const ended = endSessionsOfUser(tx, user.id);
      recordAuditEvent(tx, {
        orgId: null,
        actor: { type: "user", id: user.id, label: user.email },
        action: "auth.logout_everywhere",
        entityType: "user",
        entityId: user.id,
        details: { sessions: ended },
      });
    });
  }
  return redirect(redirectTo, { headers: { "Set-Cookie": await clearedCookie() } });
}

/** How long failed sign-ins are kept for throttling (the account page reads the audit trail, which keeps them). */
const LOGIN_FAILURES_KEPT_MS = Math.max(THROTTLE_WINDOW_MS, 24 * HOUR_MS);

/**
 * For the scheduler: deletes sessions past their idle or absolute end, and
 * failed sign-ins too old to count. Returns how many sessions ended.
 */
export function expireSessions(now: Date = new Date()): number {
  const { idleHours } = lifetimes();
  return writeTransaction("bookkeeping", (tx) => {
    const ended = tx
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - idleHours * HOUR_MS))))
      .run().changes;
    tx.delete(loginFailures)
      .where(lt(loginFailures.createdAt, new Date(now.getTime() - LOGIN_FAILURES_KEPT_MS)))
      .run();
    return ended;
  });
}

/** Records the organisation a person opened, where they land after signing in. Bookkeeping: written only when it changes, no counter moves. */
export async function rememberOrganization(request: Request, orgId: number): Promise<void> {
  const session = await currentSession(request);
  if (!session || session.lastOrgId === orgId) return;
  writeTransaction("bookkeeping", (tx) => tx.update(users).set({ lastOrgId: orgId }).where(eq(users.id, session.userId)).run());
  session.lastOrgId = orgId;
}

/** Site administrators manage organisations across the whole portal. */
export async function requireSiteAdmin(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!user.isSiteAdmin) throw forbidden("Only site administrators can do this");
  return user;
}

/** Sessions of one account, newest first (for the account page). */
export function listSessionsOfUser(userId: number, now = Date.now()) {
  return getDb()
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      clientAddress: sessions.clientAddress,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(sql`${sessions.lastSeenAt} DESC`)
    .all()
    .filter((row) => isSessionLive(row, lifetimes(), now));
}
