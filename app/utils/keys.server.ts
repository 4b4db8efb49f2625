import fs from "node:fs";
import path from "node:path";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { databaseFile } from "../../db/client";
import { env } from "./env.server";

/**
 * Keys kept outside the database, and the one scheme for secrets stored in it.
 *
 * A key comes from its environment variable or, failing that, from a file in
 * `data/keys/` beside the database (created on first use, owner-only: 0600 in
 * a 0700 folder). `npm run backup` copies the database only; the keys are
 * backed up separately (README, "Backups and keys"), so a stolen backup holds
 * neither the means to forge audit checkpoints nor to read stored secrets.
 *
 * Secrets at rest (webhook and identity-provider secrets in later issues) are
 * sealed with AES-256-GCM under the secrets key: `v1.<iv>.<tag>.<ciphertext>`,
 * each part base64url.
 */

export const KEY_FILES = {
  secrets: "secrets.key",
  auditSigning: "audit-signing.key",
} as const;

/** `data/keys/`, beside the database file. */
export function keysDirectory(): string {
  return path.join(path.dirname(path.resolve(databaseFile())), "keys");
}

/**
 * The contents of a key file in `data/keys/`, created with `create()` when it
 * does not exist yet. The file is written owner-only and never replaced.
 */
export function readOrCreateKeyFile(name: string, create: () => string): string {
  const directory = keysDirectory();
  const file = path.join(directory, name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    try {
      // "wx": two processes starting together must not both write a key.
      fs.writeFileSync(file, create(), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return fs.readFileSync(file, "utf8").trim();
}

let cachedSecretsKey: { source: string; key: Buffer } | undefined;

/** The 32-byte key that seals secrets stored in the database: PORTAL_SECRETS_KEY, else data/keys/secrets.key. */
export function secretsKey(): Buffer {
  const fromEnv = env().PORTAL_SECRETS_KEY;
  const source = fromEnv ? `env:${fromEnv}` : `file:${keysDirectory()}`;
  if (cachedSecretsKey?.source !== source) {
    const base64 = fromEnv ?? readOrCreateKeyFile(KEY_FILES.secrets, () => randomBytes(32).toString("base64"));
    const key = Buffer.from(base64, "base64");
    if (key.length !== 32)
      throw new Error(`The secrets key (${fromEnv ? "PORTAL_SECRETS_KEY" : KEY_FILES.secrets}) must be 32 bytes in base64`);
    cachedSecretsKey = { source, key };
  }
  return cachedSecretsKey.key;
}

const SEAL_VERSION = "v1";

/** Encrypts a secret for storage in the database. */
export function sealSecret(plaintext: string, key: Buffer = secretsKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [SEAL_VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

/** Decrypts what `sealSecret` stored; throws when it was sealed under another key or altered. */
export function openSecret(sealed: string, key: Buffer = secretsKey()): string {
  const [version, iv, tag, ciphertext] = sealed.split(".");
  if (version !== SEAL_VERSION || !iv || !tag || ciphertext === undefined) throw new Error("Not a sealed secret");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}
