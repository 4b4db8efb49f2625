import { afterEach, describe, expect, it } from "vitest";
import { buildDirectory, env, EnvError, fixEnv, readEnv } from "./env.server";

describe("readEnv", () => {
  it("gives every variable its documented default", () => {
    const values = readEnv({});
    expect(values).toMatchObject({
      NODE_ENV: "development",
      DATABASE_URL: "./data/portal.db",
      SESSION_SECRET: [],
      COOKIE_SECURE: false,
      PORT: 3000,
      HOST: "0.0.0.0",
      TRUST_PROXY: false,
      PORTAL_BUILD_DIR: undefined,
      PORTAL_SEED: "demo",
      DEMO_PASSWORD: undefined,
      PORTAL_QUERY_COUNT: true,
      CHROMIUM_PATH: "/usr/bin/chromium",
      WEBHOOK_ALLOW_PRIVATE: false,
      OIDC_ALLOW_HTTP: false,
      OIDC_ALLOW_PRIVATE: false,
    });
    expect(readEnv({ OIDC_ALLOW_PRIVATE: "1" }).OIDC_ALLOW_PRIVATE).toBe(true);
    expect(() => readEnv({ OIDC_ALLOW_PRIVATE: "yes" })).toThrow(/OIDC_ALLOW_PRIVATE="yes": must be true, false, 1 or 0/);
    expect(values.MIGRATIONS_DIR).toMatch(/db[/\\]migrations$/);
    expect(values.WEB_CONCURRENCY).toBeGreaterThanOrEqual(1);
    expect(values.WEB_CONCURRENCY).toBeLessThanOrEqual(4);
  });

  it("takes production's defaults for the cookie and query counting, and lets both be overridden", () => {
    expect(readEnv({ NODE_ENV: "production" })).toMatchObject({ COOKIE_SECURE: true, PORTAL_QUERY_COUNT: false });
    expect(readEnv({ NODE_ENV: "production", COOKIE_SECURE: "false", PORTAL_QUERY_COUNT: "1" })).toMatchObject({
      COOKIE_SECURE: false,
      PORTAL_QUERY_COUNT: true,
    });
  });

  it("reads values into the types their users need", () => {
    const values = readEnv({
      DATABASE_URL: "file:/var/lib/portal/portal.db",
      SESSION_SECRET: "new-secret, old-secret,",
      PORT: "8080",
      WEB_CONCURRENCY: "2",
      PORTAL_SEED: "none",
    });
    expect(values).toMatchObject({
      DATABASE_URL: "/var/lib/portal/portal.db",
      SESSION_SECRET: ["new-secret", "old-secret"],
      PORT: 8080,
      WEB_CONCURRENCY: 2,
      PORTAL_SEED: "none",
    });
  });

  it("treats an empty value as unset", () => {
    expect(readEnv({ PORT: "", WEB_CONCURRENCY: "", DATABASE_URL: "", TRUST_PROXY: "" })).toMatchObject({
      PORT: 3000,
      DATABASE_URL: "./data/portal.db",
      TRUST_PROXY: false,
    });
  });

  it("hands TRUST_PROXY to Express as a boolean, a hop count (a number, not the string) or addresses", () => {
    expect(readEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(true);
    expect(readEnv({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(readEnv({ TRUST_PROXY: "loopback, 10.0.0.0/8,fd00::/8,192.168.0.0/255.255.0.0" }).TRUST_PROXY).toEqual([
      "loopback",
      "10.0.0.0/8",
      "fd00::/8",
      "192.168.0.0/255.255.0.0",
    ]);
  });

  it.each([
    ["PORT", "abc", "must be a whole number from 0 to 65535"],
    ["PORT", "70000", "must be a whole number from 0 to 65535"],
    ["WEB_CONCURRENCY", "0", "must be a whole number from 1 to 256"],
    ["WEB_CONCURRENCY", "two", "must be a whole number from 1 to 256"],
    ["NODE_ENV", "staging", "must be development, production or test"],
    ["COOKIE_SECURE", "yes", "must be true, false, 1 or 0"],
    ["PORTAL_QUERY_COUNT", "on", "must be true, false, 1 or 0"],
    ["PORTAL_SEED", "yes", "must be demo or none"],
    ["TRUST_PROXY", "proxy.example", "must be true, false, a number of proxy hops, or comma-separated addresses"],
    ["TRUST_PROXY", "10.0.0.0/33", "must be true, false, a number of proxy hops, or comma-separated addresses"],
  ])("refuses %s=%s, naming the variable, the value and what it accepts", (name, value, allowed) => {
    expect(() => readEnv({ [name]: value })).toThrow(EnvError);
    expect(() => readEnv({ [name]: value })).toThrow(`${name}=${JSON.stringify(value)}: ${allowed}`);
  });

  it("lists every bad variable at once", () => {
    expect(() => readEnv({ PORT: "x", WEB_CONCURRENCY: "-1" })).toThrow(/PORT="x".*\n.*WEB_CONCURRENCY="-1"/);
  });
});

describe("env", () => {
  const saved = { PORTAL_BUILD_DIR: process.env.PORTAL_BUILD_DIR, PORT: process.env.PORT };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("reads the process environment again when a variable changes", () => {
    process.env.PORTAL_BUILD_DIR = "build-one";
    expect(env().PORTAL_BUILD_DIR).toBe("build-one");
    expect(env()).toBe(env());
    process.env.PORTAL_BUILD_DIR = "build-two";
    expect(buildDirectory()).toBe("build-two");
    delete process.env.PORTAL_BUILD_DIR;
    expect(buildDirectory()).toBe("build");
    expect(buildDirectory("build-bench")).toBe("build-bench");
  });

  it("throws while a variable is bad, and recovers once it is fixed", () => {
    process.env.PORT = "not-a-port";
    expect(() => env()).toThrow(/PORT="not-a-port": must be a whole number/);
    process.env.PORT = "4000";
    expect(env().PORT).toBe(4000);
  });

  it("answers from the reading fixEnv took until it is released, whatever the environment does meanwhile", () => {
    process.env.PORT = "4001";
    try {
      expect(fixEnv().PORT).toBe(4001);
      process.env.PORT = "4002";
      expect(env().PORT).toBe(4001);
      expect(env()).toBe(env());
    } finally {
      expect(fixEnv(false).PORT).toBe(4002);
    }
    expect(env().PORT).toBe(4002);
  });

  it("refuses to fix a bad environment and leaves env() reading it", () => {
    process.env.PORT = "not-a-port";
    expect(() => fixEnv()).toThrow(EnvError);
    process.env.PORT = "4003";
    expect(env().PORT).toBe(4003);
  });
});

describe("single sign-on variables", () => {
  const complete = {
    PUBLIC_URL: "https://portal.example.com",
    OIDC_ISSUER: "https://login.example.com/tenant/v2.0",
    OIDC_CLIENT_ID: "portal",
    OIDC_CLIENT_SECRET: "s3cret",
    OIDC_ORG: "acme",
    OIDC_DOMAINS: "Example.com, example.org",
  };

  it("is off without OIDC_ISSUER, and reads a complete provider with its defaults", () => {
    expect(readEnv({}).OIDC).toBeNull();
    expect(readEnv({ ...complete, OIDC_ROLE_MAP: "ml-ethics=ethics, ml-leads=leadership,ml-eng=team" }).OIDC).toEqual({
      id: "env",
      issuer: complete.OIDC_ISSUER,
      clientId: "portal",
      clientSecret: "s3cret",
      orgSlug: "acme",
      groupsClaim: "groups",
      emailVerifiedClaim: "email_verified",
      roleMap: { "ml-ethics": "ethics", "ml-leads": "leadership", "ml-eng": "team" },
      defaultRole: null,
      domains: ["example.com", "example.org"],
      createUsers: true,
      required: false,
      breakGlassEmail: null,
      allowHttp: false,
      redirectUri: "https://portal.example.com/auth/oidc/callback",
    });
  });

  it("names every missing piece when a provider is half configured", () => {
    expect(() => readEnv({ OIDC_ISSUER: complete.OIDC_ISSUER })).toThrow(
      /OIDC_CLIENT_ID is not set[\s\S]*OIDC_CLIENT_SECRET is not set[\s\S]*OIDC_ORG is not set[\s\S]*OIDC_DOMAINS is not set[\s\S]*PUBLIC_URL is not set/,
    );
  });

  it("refuses a bad role map, default role, domain or a plain-HTTP issuer with what it accepts", () => {
    expect(() => readEnv({ ...complete, OIDC_ROLE_MAP: "ml-eng=engineer" })).toThrow(/OIDC_ROLE_MAP.*"ml-eng=engineer" must be group=role/);
    expect(() => readEnv({ ...complete, OIDC_ROLE_MAP: "=team" })).toThrow(EnvError);
    expect(() => readEnv({ ...complete, OIDC_DEFAULT_ROLE: "owner" })).toThrow(/OIDC_DEFAULT_ROLE.*must be one of admin/);
    expect(() => readEnv({ ...complete, OIDC_DOMAINS: "example.com,not a domain" })).toThrow(/OIDC_DOMAINS.*domain names/);
    expect(() => readEnv({ ...complete, OIDC_ISSUER: "http://127.0.0.1:9000" })).toThrow(/OIDC_ISSUER.*must be https/);
    expect(readEnv({ ...complete, OIDC_ISSUER: "http://127.0.0.1:9000", OIDC_ALLOW_HTTP: "true" }).OIDC?.allowHttp).toBe(true);
  });

  it("reads the break-glass account's email in lower case, refuses anything else, and only with a provider", () => {
    expect(readEnv({ ...complete, OIDC_REQUIRED: "true", OIDC_BREAK_GLASS: " Break-Glass@Example.com " }).OIDC?.breakGlassEmail).toBe(
      "break-glass@example.com",
    );
    expect(() => readEnv({ ...complete, OIDC_BREAK_GLASS: "root" })).toThrow(/OIDC_BREAK_GLASS="root": must be the email address/);
    expect(() => readEnv({ OIDC_BREAK_GLASS: "root@example.com" })).toThrow(/OIDC_ISSUER is not set/);
  });
});
