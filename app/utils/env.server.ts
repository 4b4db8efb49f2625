import net from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The one place that reads the environment for configuration. Every variable
 * the portal (server, CLIs, scripts) takes is declared here with zod, with its
 * default; the README's "Operations" table lists the same variables.
 *
 * The server reads it once, at start (`fixEnv()`), and answers every later
 * `env()` from that reading: a request never looks at `process.env`. Elsewhere
 * (tests, CLIs) `env()` re-reads when a variable changes (tests point
 * DATABASE_URL at a new file between tests), and otherwise answers from the
 * last reading. A bad value throws an `EnvError` naming each variable and what
 * it accepts, so the server stops at start.
 */

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const onOff = z
  .enum(["true", "false", "1", "0"], { errorMap: () => ({ message: "must be true, false, 1 or 0" }) })
  .transform((value) => value === "true" || value === "1");

const TRUST_PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isTrustedProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (/^\d+$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && net.isIPv4(prefix);
}

/**
 * Express's `trust proxy`: true/false, a number of proxy hops, or addresses.
 * A number must reach Express as a number: the string "1" would mean the
 * address 0.0.0.1 to it, and trust no real proxy.
 */
const trustProxy = z.string().transform((value, ctx): boolean | number | string[] => {
  if (value === "true" || value === "false") return value === "true";
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(",").map((entry) => entry.trim());
  if (entries.every(isTrustedProxyEntry)) return entries;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message: "must be true, false, a number of proxy hops, or comma-separated addresses/subnets (or loopback, linklocal, uniquelocal)",
  });
  return z.NEVER;
});

const text = z.string().min(1);

/**
 * The portal's roles, for OIDC_ROLE_MAP and OIDC_DEFAULT_ROLE. app/utils imports no domain, so this mirrors
 * ROLES of app/modules/auth/roles.ts, and a unit test checks that the two agree.
 */
export const ENV_ROLES = ["admin", "leadership", "ethics", "team", "auditor"] as const;
const ROLE_LIST = ENV_ROLES.join(", ");

const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

/** `group=role,group=role`: the groups claim's values that give a role in OIDC_ORG. */
const roleMap = z.string().transform((value, ctx) => {
  const map: Record<string, (typeof ENV_ROLES)[number]> = {};
  for (const pair of value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf("=");
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim();
    if (at <= 0 || !group || !(ENV_ROLES as readonly string[]).includes(role)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `"${pair}" must be group=role, with a role among ${ROLE_LIST} (e.g. ml-ethics=ethics,ml-leads=leadership)`,
      });
      return z.NEVER;
    }
    map[group] = role as (typeof ENV_ROLES)[number];
  }
  return map;
});

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Raw variables as read; an empty value counts as unset. */
const EnvSchema = z.object({
  NODE_ENV: z
    .enum(["development", "production", "test"], { errorMap: () => ({ message: "must be development, production or test" }) })
    .default("development"),
  DATABASE_URL: text.default("./data/portal.db").transform((url) => url.replace(/^file:/, "")),
  MIGRATIONS_DIR: text.optional(),
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((secret) => secret.trim())
        .filter(Boolean),
    ),
  COOKIE_SECURE: onOff.optional(),
  PORT: wholeNumber(0, 65_535).default("3000"),
  HOST: text.default("0.0.0.0"),
  WEB_CONCURRENCY: wholeNumber(1, 256).optional(),
  TRUST_PROXY: trustProxy.default("false"),
  PORTAL_BUILD_DIR: text.optional(),
  PORTAL_SEED: z.enum(["demo", "none"], { errorMap: () => ({ message: "must be demo or none" }) }).default("demo"),
  DEMO_PASSWORD: text.optional(),
  PORTAL_QUERY_COUNT: onOff.optional(),
  CHROMIUM_PATH: text.default("/usr/bin/chromium"),
  /** A session ends after this many hours without a request. */
  SESSION_IDLE_HOURS: wholeNumber(1, 24 * 30).default("12"),
  /** A session ends this many days after sign-in, however active. */
  SESSION_MAX_DAYS: wholeNumber(1, 365).default("7"),
  /** The Ed25519 private key that signs audit checkpoints (PEM, PKCS#8). Default: data/keys/audit-signing.key. */
  AUDIT_SIGNING_KEY: text.optional(),
  /** 32 bytes, base64: encrypts secrets stored in the database. Default: data/keys/secrets.key. */
  PORTAL_SECRETS_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || Buffer.from(value, "base64").length === 32, "must be 32 bytes in base64"),
  /** Where links in emails and webhooks point: the portal's address as people reach it (e.g. https://portal.example.com). */
  PUBLIC_URL: z
    .string()
    .url("must be an absolute http(s) URL, e.g. https://portal.example.com")
    .refine((value) => /^https?:\/\//.test(value), "must be an absolute http(s) URL, e.g. https://portal.example.com")
    .transform((value) => value.replace(/\/+$/, ""))
    .optional(),
  /** The SMTP server for email (smtp:// or smtps://, credentials in the URL). Unset: emails stay in the outbox, marked as not sent. */
  SMTP_URL: z
    .string()
    .refine((value) => /^smtps?:\/\/[^/]+/.test(value), "must be smtp://[user:password@]host[:port] or smtps://…")
    .optional(),
  /** The sender of every email, e.g. "AI Portal <portal@example.com>". */
  MAIL_FROM: text.default("AI Maturity Portal <portal@localhost>"),
  /** Let webhooks reach private, loopback and link-local addresses (on-premises receivers, tests). */
  WEBHOOK_ALLOW_PRIVATE: onOff.default("false"),
  /** How often the scheduler looks for due work (outbox deliveries, checkpoints…), in milliseconds. */
  SCHEDULER_POLL_MS: wholeNumber(50, 60_000).default("2000"),
  /** Single sign-on (OpenID Connect), a site-wide provider: its issuer URL (discovery at /.well-known/openid-configuration). */
  OIDC_ISSUER: z.string().url("must be the provider's issuer URL, e.g. https://login.example.com/tenant/v2.0").optional(),
  OIDC_CLIENT_ID: text.optional(),
  OIDC_CLIENT_SECRET: text.optional(),
  /** The slug of the organisation people who sign in through the provider join. */
  OIDC_ORG: text.optional(),
  /** The ID token claim that lists the person's groups. */
  OIDC_GROUPS_CLAIM: text.default("groups"),
  /**
   * The ID token claim that says the provider verified the email (true). Microsoft Entra ID sends no
   * `email_verified`: set its optional claim `xms_edov` and name it here.
   */
  OIDC_EMAIL_VERIFIED_CLAIM: text.default("email_verified"),
  /** Groups to roles, e.g. ml-ethics=ethics,ml-leads=leadership,ml-eng=team; several mapped groups: the most rights. */
  OIDC_ROLE_MAP: roleMap.default(""),
  /** The role of people in none of the mapped groups. Unset: they get no membership and cannot sign in. */
  OIDC_DEFAULT_ROLE: z.enum(ENV_ROLES, { errorMap: () => ({ message: `must be one of ${ROLE_LIST}` }) }).optional(),
  /** Email domains that sign in through the provider (comma-separated). */
  OIDC_DOMAINS: commaList
    .transform((domains) => domains.map((domain) => domain.toLowerCase()))
    .refine(
      (domains) => domains.every((domain) => DOMAIN.test(domain)),
      "must be comma-separated domain names, e.g. example.com,example.org",
    )
    .optional(),
  /** Create an account on a person's first sign-in through the provider. */
  OIDC_CREATE_USERS: onOff.default("true"),
  /**
   * People of OIDC_DOMAINS must sign in through the provider, and OIDC_ORG's pages refuse sessions that did not come
   * through it (except OIDC_BREAK_GLASS's).
   */
  OIDC_REQUIRED: onOff.default("false"),
  /** The email of the one break-glass account: keeps its password and opens OIDC_ORG's pages when OIDC_REQUIRED. */
  OIDC_BREAK_GLASS: z
    .string()
    .trim()
    .toLowerCase()
    .email("must be the email address of the break-glass account, e.g. break-glass@example.com")
    .optional(),
  /** Allow an http:// issuer: only for a provider on this machine and the tests. */
  OIDC_ALLOW_HTTP: onOff.default("false"),
  /**
   * Let organisations' own identity providers be at private, loopback and link-local addresses (a provider in
   * the portal's own network, the tests). The site-wide provider (OIDC_ISSUER, set by the operator) may always.
   */
  OIDC_ALLOW_PRIVATE: onOff.default("false"),
  /** Request log level (pino): fatal, error, warn, info, debug, silent. Default: info in production, silent in tests. */
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "silent"], {
      errorMap: () => ({ message: "must be fatal, error, warn, info, debug or silent" }),
    })
    .optional(),
});

const NAMES = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];

type RawEnv = z.output<typeof EnvSchema>;

/** The site-wide OpenID Connect provider, when OIDC_ISSUER is set (every other OIDC_* variable is checked against it). */
export type OidcSettings = {
  /** "env" for the site-wide provider; an organisation's provider: its id in `oidc_providers`. */
  id: string;
  issuer: string;
  clientId: string;
  /** Null when an organisation's stored secret can no longer be unsealed (the secrets key changed): its admins enter it again. */
  clientSecret: string | null;
  orgSlug: string;
  groupsClaim: string;
  emailVerifiedClaim: string;
  roleMap: Record<string, (typeof ENV_ROLES)[number]>;
  defaultRole: (typeof ENV_ROLES)[number] | null;
  domains: string[];
  createUsers: boolean;
  required: boolean;
  /** OIDC_BREAK_GLASS, lower case: the account exempt from `required`. */
  breakGlassEmail: string | null;
  allowHttp: boolean;
  /** `<PUBLIC_URL>/auth/oidc/callback`. */
  redirectUri: string;
};

export type Env = Omit<RawEnv, "MIGRATIONS_DIR" | "COOKIE_SECURE" | "WEB_CONCURRENCY" | "PORTAL_QUERY_COUNT" | `OIDC_${string}`> & {
  /** Single sign-on through the site-wide provider, or null when OIDC_ISSUER is unset. */
  OIDC: OidcSettings | null;
  /** Providers may be plain http:// (local providers and the tests only): the site-wide one and organisations' own. */
  OIDC_ALLOW_HTTP: boolean;
  /** Organisations' own providers may be at addresses that are not public (see app/utils/public-address.server.ts). */
  OIDC_ALLOW_PRIVATE: boolean;
  /** Where the migrations are (default `db/migrations` under the working directory). */
  MIGRATIONS_DIR: string;
  /** Default: true in production. */
  COOKIE_SECURE: boolean;
  /** Worker processes in production. Default: one per CPU, at most 4. */
  WEB_CONCURRENCY: number;
  /** Count SQL statements per request. Default: everywhere but production. */
  PORTAL_QUERY_COUNT: boolean;
};

export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses `source` (the environment by default); throws an EnvError listing every bad variable. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const raw = Object.fromEntries(NAMES.map((name) => [name, source[name] === "" ? undefined : source[name]]));
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}=${JSON.stringify(raw[name])}: ${issue.message}`;
    });
    throw new EnvError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const {
    OIDC_ISSUER,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
    OIDC_ORG,
    OIDC_GROUPS_CLAIM,
    OIDC_EMAIL_VERIFIED_CLAIM,
    OIDC_ROLE_MAP,
    OIDC_DEFAULT_ROLE,
    OIDC_DOMAINS,
    OIDC_CREATE_USERS,
    OIDC_REQUIRED,
    OIDC_BREAK_GLASS,
    OIDC_ALLOW_HTTP,
    OIDC_ALLOW_PRIVATE,
    ...values
  } = parsed.data;
  const production = values.NODE_ENV === "production";
  const oidcProblems: string[] = [];
  const need = (name: string, value: unknown, what: string) => {
    if (value === undefined) oidcProblems.push(`  ${name} is not set: ${what}`);
  };
  const anyOidc = [OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_ORG, OIDC_DOMAINS, OIDC_BREAK_GLASS].some(
    (value) => value !== undefined,
  );
  if (anyOidc) {
    need("OIDC_ISSUER", OIDC_ISSUER, "single sign-on needs the provider's issuer URL");
    need("OIDC_CLIENT_ID", OIDC_CLIENT_ID, "single sign-on needs the client id registered at the provider");
    need("OIDC_CLIENT_SECRET", OIDC_CLIENT_SECRET, "single sign-on needs the client secret registered at the provider");
    need("OIDC_ORG", OIDC_ORG, "single sign-on needs the slug of the organisation people join");
    need("OIDC_DOMAINS", OIDC_DOMAINS?.length ? OIDC_DOMAINS : undefined, "single sign-on needs the email domains it serves");
    need("PUBLIC_URL", values.PUBLIC_URL, "single sign-on's redirect URI is <PUBLIC_URL>/auth/oidc/callback");
    if (OIDC_ISSUER && !OIDC_ISSUER.startsWith("https://") && !OIDC_ALLOW_HTTP) {
      oidcProblems.push(`  OIDC_ISSUER=${JSON.stringify(OIDC_ISSUER)}: must be https:// (OIDC_ALLOW_HTTP=true only for a local provider)`);
    }
  }
  if (oidcProblems.length) throw new EnvError(`Invalid environment:\n${oidcProblems.join("\n")}`);
  const OIDC: OidcSettings | null =
    anyOidc && OIDC_ISSUER && OIDC_CLIENT_ID && OIDC_CLIENT_SECRET && OIDC_ORG && OIDC_DOMAINS && values.PUBLIC_URL
      ? {
          id: "env",
          issuer: OIDC_ISSUER,
          clientId: OIDC_CLIENT_ID,
          clientSecret: OIDC_CLIENT_SECRET,
          orgSlug: OIDC_ORG,
          groupsClaim: OIDC_GROUPS_CLAIM,
          emailVerifiedClaim: OIDC_EMAIL_VERIFIED_CLAIM,
          roleMap: OIDC_ROLE_MAP,
          defaultRole: OIDC_DEFAULT_ROLE ?? null,
          domains: OIDC_DOMAINS,
          createUsers: OIDC_CREATE_USERS,
          required: OIDC_REQUIRED,
          breakGlassEmail: OIDC_BREAK_GLASS ?? null,
          allowHttp: OIDC_ALLOW_HTTP,
          redirectUri: `${values.PUBLIC_URL}/auth/oidc/callback`,
        }
      : null;
  return {
    ...values,
    OIDC,
    OIDC_ALLOW_HTTP,
    OIDC_ALLOW_PRIVATE,
    MIGRATIONS_DIR: values.MIGRATIONS_DIR ?? path.resolve(process.cwd(), "db/migrations"),
    COOKIE_SECURE: values.COOKIE_SECURE ?? production,
    WEB_CONCURRENCY: values.WEB_CONCURRENCY ?? Math.min(os.availableParallelism(), 4),
    PORTAL_QUERY_COUNT: values.PORTAL_QUERY_COUNT ?? !production,
  };
}

let last: { key: string; env: Env } | undefined;

// On globalThis: the server's bundle and the Remix build it loads each hold a copy of this module.
const FIXED = Symbol.for("portal.fixedEnv");
const globals = globalThis as typeof globalThis & { [FIXED]?: Env };

/** The validated environment of this process, read again only when one of its variables has changed (unless fixed). */
export function env(): Env {
  const fixed = globals[FIXED];
  if (fixed) return fixed;
  const key = NAMES.map((name) => process.env[name] ?? "\u0000").join("\u0001");
  if (last?.key !== key) last = { key, env: readEnv(process.env) };
  return last.env;
}

/**
 * Reads and checks the environment once, for a process whose environment does
 * not change while it runs (the server): from then on `env()` answers from this
 * reading without comparing some forty variables on every call (about a dozen
 * calls per page request). `fixEnv(false)` lets `env()` re-read again (tests).
 */
export function fixEnv(fix = true): Env {
  delete globals[FIXED];
  const reading = env();
  if (fix) globals[FIXED] = reading;
  return reading;
}

/** The production build's directory: PORTAL_BUILD_DIR, else `fallback`. */
export function buildDirectory(fallback = "build"): string {
  return env().PORTAL_BUILD_DIR ?? fallback;
}

/**
 * Sets NODE_ENV when the environment does not (React, Remix and Express read
 * it themselves): `npm start` means production, `npm run dev` development.
 */
export function defaultNodeEnv(mode: "development" | "production"): void {
  process.env.NODE_ENV ||= mode;
}
