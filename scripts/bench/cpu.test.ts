import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProcStat, processGroupCpuMs } from "./cpu";

describe("parseProcStat", () => {
  it("reads the process group and user + system ticks, even with spaces and parentheses in the command name", () => {
    const line = "4242 (node (tsx) x) S 4200 4242 4242 0 -1 4194560 9000 0 0 0 150 25 0 0 20 0 11 0 123456 1000000 5000";
    expect(parseProcStat(line)).toEqual({ pgrp: 4242, ticks: 175 });
  });
});

describe.runIf(fs.existsSync("/proc/self/stat"))("processGroupCpuMs", () => {
  it("counts the CPU time this process's group burns", () => {
    const { pgrp } = parseProcStat(fs.readFileSync("/proc/self/stat", "utf8"));
    const before = processGroupCpuMs(pgrp)!;
    const start = process.cpuUsage();
    // Busy until this process has used 200 ms of CPU (however long that takes on a busy machine).
    while ((({ user, system }) => user + system)(process.cpuUsage(start)) < 200_000);
    expect(processGroupCpuMs(pgrp)! - before).toBeGreaterThanOrEqual(150);
  });
});
