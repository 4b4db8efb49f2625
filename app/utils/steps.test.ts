import { describe, expect, it } from "vitest";
import { finishNow, finishYielding, type Steps } from "./steps";

function* countTo(n: number, log: string[]): Steps<number> {
  for (let i = 1; i < n; i++) {
    log.push(`step ${i}`);
    yield;
  }
  log.push(`step ${n}`);
  return n;
}

describe("steps", () => {
  it("finishNow runs every step at once and returns the result", () => {
    const log: string[] = [];
    expect(finishNow(countTo(3, log))).toBe(3);
    expect(log).toEqual(["step 1", "step 2", "step 3"]);
  });

  it("finishYielding lets other work run between steps, and returns the same result", async () => {
    const log: string[] = [];
    const other = new Promise<void>((resolve) =>
      setImmediate(() => {
        log.push("other work");
        resolve();
      }),
    );
    const result = await finishYielding(countTo(3, log));
    await other;
    expect(result).toBe(3);
    expect(log.indexOf("other work")).toBeGreaterThan(0);
    expect(log.indexOf("other work")).toBeLessThan(log.indexOf("step 3"));
  });

  it("finishYielding rejects with the error a step throws", async () => {
    function* failing(): Steps<never> {
      yield;
      throw new Error("broken step");
    }
    await expect(finishYielding(failing())).rejects.toThrow("broken step");
  });
});
