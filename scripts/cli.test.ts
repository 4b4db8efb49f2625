import { afterEach, describe, expect, it, vi } from "vitest";
import { cliOptions, fail } from "./cli";

class ExitCalled extends Error {
  constructor(readonly code: number | string | null | undefined) {
    super(`process.exit(${code})`);
  }
}

function trapExit() {
  const exit = vi.spyOn(process, "exit").mockImplementation(((code?: number | string | null) => {
    throw new ExitCalled(code);
  }) as typeof process.exit);
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  return { exit, error };
}

const originalArgv = process.argv;
afterEach(() => {
  process.argv = originalArgv;
  vi.restoreAllMocks();
});

describe("cliOptions", () => {
  it("parses --flag value options from argv", () => {
    process.argv = [process.execPath, "script.ts", "--slug", "acme", "--verbose", "extra"];
    const { values, positionals } = cliOptions({ slug: { type: "string" }, verbose: { type: "boolean" } });
    expect(values).toEqual({ slug: "acme", verbose: true });
    expect(positionals).toEqual(["extra"]);
  });

  it("supports --flag=value", () => {
    process.argv = [process.execPath, "script.ts", "--name=Acme Ltd"];
    expect(cliOptions({ name: { type: "string" } }).values).toEqual({ name: "Acme Ltd" });
  });

  it("fails with one clear line and exit code 1 on an unknown flag", () => {
    const { exit, error } = trapExit();
    process.argv = [process.execPath, "script.ts", "--nope", "x"];
    expect(() => cliOptions({ slug: { type: "string" } })).toThrow(ExitCalled);
    expect(exit).toHaveBeenCalledWith(1);
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/^error: .*--nope/);
  });

  it("fails when a string flag has no value", () => {
    const { exit, error } = trapExit();
    process.argv = [process.execPath, "script.ts", "--slug"];
    expect(() => cliOptions({ slug: { type: "string" } })).toThrow(ExitCalled);
    expect(exit).toHaveBeenCalledWith(1);
    expect(String(error.mock.calls[0]![0])).toMatch(/^error: .*--slug/);
  });
});

describe("fail", () => {
  it("prints 'error: <message>' to stderr and exits with 1", () => {
    const { exit, error } = trapExit();
    expect(() => fail("something broke")).toThrow(ExitCalled);
    expect(error).toHaveBeenCalledWith("error: something broke");
    expect(exit).toHaveBeenCalledWith(1);
  });
});
