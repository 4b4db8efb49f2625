import { beforeAll, describe, expect, it } from "vitest";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./password.server";

describe("password hashing", () => {
  const password = "Correct-Horse-42";
  let hash: string;
  let second: string;
  beforeAll(async () => {
    [hash, second] = await Promise.all([hashPassword(password), hashPassword(password)]);
  });

  it("produces scrypt$N$r$p$salt$key with base64 salt and 64-byte key", () => {
    const parts = hash.split("$");
    expect(parts).toHaveLength(6);
    expect(parts[0]).toBe("scrypt");
    expect(hash.startsWith("scrypt$32768$8$1$")).toBe(true);
    expect(Buffer.from(parts[4]!, "base64")).toHaveLength(16);
    expect(Buffer.from(parts[5]!, "base64")).toHaveLength(64);
    expect(hash).not.toContain(password);
  });

  it("hashes at a lower cost when asked (test accounts), verifies such a hash, and refuses costs that are no power of two or above the portal's", async () => {
    const cheap = await hashPassword(password, { cost: 1024 });
    expect(cheap.startsWith("scrypt$1024$8$1$")).toBe(true);
    expect(await verifyPassword(password, cheap)).toBe(true);
    expect(await verifyPassword("wrong", cheap)).toBe(false);
    for (const cost of [1000, 1, 65536, 0.5]) await expect(hashPassword(password, { cost })).rejects.toThrow(/power of two/);
  });

  it("verifies the right password", async () => {
    expect(await verifyPassword(password, hash)).toBe(true);
  });

  it("rejects a wrong password (including near misses)", async () => {
    expect(await verifyPassword("correct-horse-42", hash)).toBe(false);
    expect(await verifyPassword(password + " ", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts: two hashes of the same password differ and both verify", async () => {
    expect(second).not.toBe(hash);
    expect(second.split("$")[4]).not.toBe(hash.split("$")[4]);
    expect(await verifyPassword(password, second)).toBe(true);
  });

  it("normalises Unicode (NFKC) so equivalent spellings verify", async () => {
    const composed = "Caf\u00e9-Secret-1";
    const decomposed = "Cafe\u0301-Secret-1";
    const h = await hashPassword(composed);
    expect(await verifyPassword(decomposed, h)).toBe(true);
  });

  it("returns false for stored hashes it cannot parse", async () => {
    expect(await verifyPassword(password, "")).toBe(false);
    expect(await verifyPassword(password, "not-a-hash")).toBe(false);
    expect(await verifyPassword(password, "bcrypt$32768$8$1$c2FsdA==$a2V5")).toBe(false);
    expect(await verifyPassword(password, "scrypt$32768$8$1$c2FsdA==")).toBe(false);
    // A well-formed hash whose key has the wrong length.
    expect(await verifyPassword(password, "scrypt$32768$8$1$c2FsdA==$a2V5")).toBe(false);
  });

  // Regression: scrypt parameters that are not valid numbers make crypto.scrypt throw,
  // so verifyPassword rejects instead of returning false.
  it("returns false (does not throw) when the stored scrypt parameters are malformed", async () => {
    expect(await verifyPassword(password, "scrypt$abc$8$1$c2FsdA==$a2V5")).toBe(false);
  });

  it("has a decoy hash that is stable and never matches a guess", async () => {
    const decoy = await decoyPasswordHash();
    expect(decoy).toMatch(/^scrypt\$/);
    expect(await decoyPasswordHash()).toBe(decoy);
    expect(await verifyPassword("demo-password", decoy)).toBe(false);
  });
});
