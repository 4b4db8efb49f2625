import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

// scrypt with N=2^15 costs ~50-100 ms per hash here: slow for guessing, fine for sign-in.
const PARAMS = { N: 32768, r: 8, p: 1 } as const;
const KEY_LENGTH = 64;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...options, maxmem: 128 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** The scrypt cost (N) of every password the portal stores. */
export const PASSWORD_COST = PARAMS.N;

/**
 * Hashes a password as `scrypt$N$r$p$salt$key`. `cost` (N, a power of two) is for test accounts only, whose
 * sign-ins would otherwise spend most of a test suite's CPU in scrypt: the portal always stores PASSWORD_COST.
 * Verifying reads N from the hash, so a cheaper hash signs in as quickly as it was made.
 */
export async function hashPassword(password: string, { cost = PASSWORD_COST }: { cost?: number } = {}): Promise<string> {
  if (!Number.isInteger(cost) || cost < 2 || cost > PASSWORD_COST || (cost & (cost - 1)) !== 0) {
    throw new Error(`The scrypt cost must be a power of two from 2 to ${PASSWORD_COST}`);
  }
  const salt = randomBytes(16);
  const key = await derive(password, salt, { ...PARAMS, N: cost });
  return ["scrypt", cost, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  const [N, R, P] = [n, r, p].map(Number) as [number, number, number];
  const sane =
    scheme === "scrypt" &&
    salt &&
    key &&
    Number.isInteger(N) &&
    N >= 2 &&
    N <= 2 ** 20 &&
    (N & (N - 1)) === 0 &&
    Number.isInteger(R) &&
    R >= 1 &&
    R <= 32 &&
    Number.isInteger(P) &&
    P >= 1 &&
    P <= 16;
  if (!sane) return false;
  try {
    const expected = Buffer.from(key, "base64");
    const actual = await derive(password, Buffer.from(salt, "base64"), { N, r: R, p: P });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** A hash of a random password, compared against when the email is unknown so timing does not leak it. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return decoyHash;
}
