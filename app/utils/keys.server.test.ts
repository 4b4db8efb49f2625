import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { KEY_FILES, keysDirectory, openSecret, sealSecret, secretsKey } from "./keys.server";

describe("keys outside the database", () => {
  afterEach(() => {
    delete process.env.PORTAL_SECRETS_KEY;
  });

  it("creates the secrets key once, owner-only, beside the database", () => {
    const key = secretsKey();
    const file = path.join(keysDirectory(), KEY_FILES.secrets);
    expect(key).toHaveLength(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(keysDirectory()).mode & 0o777).toBe(0o700);
    expect(secretsKey().equals(key)).toBe(true);
  });

  it("prefers PORTAL_SECRETS_KEY to the key file", () => {
    const fromEnv = randomBytes(32);
    process.env.PORTAL_SECRETS_KEY = fromEnv.toString("base64");
    expect(secretsKey().equals(fromEnv)).toBe(true);
  });

  it("seals and opens a secret, and refuses one altered or sealed under another key", () => {
    const sealed = sealSecret("webhook secret");
    expect(sealed).not.toContain("webhook");
    expect(openSecret(sealed)).toBe("webhook secret");
    expect(sealSecret("webhook secret")).not.toBe(sealed);

    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    expect(() => openSecret([...parts.slice(0, 3), body.toString("base64url")].join("."))).toThrow();
    expect(() => openSecret(sealed, randomBytes(32))).toThrow();
    expect(() => openSecret("plain text")).toThrow("Not a sealed secret");
  });
});
