import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { createCookieSessionStorage, redirect } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { databaseFile, reusableQuery, writeTransaction } from "../../../db/client";
import { recordAuditEvent } from "../audit/audit.server";
import { users } from "../../../db/schema";
import { env } from "../../utils/env.server";
import { forbidden } from "../../utils/http";

/**
 * SESSION_SECRET may hold several comma-separated secrets (newest first) for
 * rotation. Without it, a secret is generated once into data/ so a fresh
 * checkout just works; production deployments should set it.
 */
function sessionSecrets(): string[] {
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

type SessionData = { userId: number; sessionVersion: number };
type SessionFlash = { toast: string };

let storage: ReturnType<typeof createCookieSessionStorage<SessionData, SessionFlash>> | undefined;

export function sessionStorage() {
  storage ??= createCookieSessionStorage<SessionData, SessionFlash>({
    cookie: {
      name: "__portal_session",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: env().COOKIE_SECURE,
      secrets: sessionSecrets(),
      maxAge: 60 * 60 * 12,
    },
  });
  return storage;
}

export function getSession(request: Request) {
  return sessionStorage().getSession(request.headers.get("Cookie"));
}

export type SessionUser = { id: number; email: string; name: string; isSiteAdmin: boolean };

const userById = reusableQuery((db) =>
  db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      isSiteAdmin: users.isSiteAdmin,
      active: users.active,
      sessionVersion: users.sessionVersion,
    })
    .from(users)
    .where(eq(users.id, sql.placeholder("userId"))),
);

// The root, layout and page loaders of one request all ask; each request's answer is read once.
const sessionUsers = new WeakMap<Request, Promise<SessionUser | null>>();

/**
 * The signed-in, active user, or null. The user row is read on every request,
 * so deactivation and sign-out (which bumps the session version) end sessions at once.
 */
export function getSessionUser(request: Request): Promise<SessionUser | null> {
  let user = sessionUsers.get(request);
  if (!user) {
    user = readSessionUser(request);
    sessionUsers.set(request, user);
  }
  return user;
}

async function readSessionUser(request: Request): Promise<SessionUser | null> {
  const session = await getSession(request);
  const userId = session.get("userId");
  if (typeof userId !== "number") return null;
  const user = userById().get({ userId });
  if (!user?.active || (session.get("sessionVersion") ?? 0) !== user.sessionVersion) return null;
  return { id: user.id, email: user.email, name: user.name, isSiteAdmin: user.isSiteAdmin };
}

export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getSessionUser(request);
  if (user) return user;
  const url = new URL(request.url);
  const redirectTo = `${url.pathname}${url.search}`;
  throw redirect(`/login?${new URLSearchParams({ redirectTo })}`);
}

export async function createUserSession(request: Request, userId: number, redirectTo: string) {
  const session = await getSession(request);
  session.set("userId", userId);
  session.set("sessionVersion", userById().get({ userId })?.sessionVersion ?? 0);
  return redirect(redirectTo, {
    headers: { "Set-Cookie": await sessionStorage().commitSession(session) },
  });
}

/** Signs out: the cookie is cleared and, for a signed-in user, every session of the account ends (copied cookies too). */
export async function destroyUserSession(request: Request, redirectTo = "/login") {
  const user = await getSessionUser(request);
  if (user) {
    writeTransaction("bookkeeping", (tx) => {
      tx.update(users)
        .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
        .where(eq(users.id, user.id))
        .run();
      recordAuditEvent(tx, {
        orgId: null,
        actor: { type: "user", id: user.id, label: user.email },
        action: "auth.logout",
        entityType: "user",
        entityId: user.id,
      });
    });
  }
  const session = await getSession(request);
  return redirect(redirectTo, {
    headers: { "Set-Cookie": await sessionStorage().destroySession(session) },
  });
}

/** Site administrators manage organisations across the whole portal. */
export async function requireSiteAdmin(request: Request): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!user.isSiteAdmin) throw forbidden("Only site administrators can do this");
  return user;
}
