import { describe, expect, it } from "vitest";
import { logLevel } from "./log.server";

describe("logLevel", () => {
  it("is info by default, silent under NODE_ENV=test, and LOG_LEVEL when set", () => {
    expect(logLevel({ NODE_ENV: "production", LOG_LEVEL: undefined })).toBe("info");
    expect(logLevel({ NODE_ENV: "development", LOG_LEVEL: undefined })).toBe("info");
    expect(logLevel({ NODE_ENV: "test", LOG_LEVEL: undefined })).toBe("silent");
    expect(logLevel({ NODE_ENV: "test", LOG_LEVEL: "debug" })).toBe("debug");
    expect(logLevel({ NODE_ENV: "production", LOG_LEVEL: "silent" })).toBe("silent");
  });
});
