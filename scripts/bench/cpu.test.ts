import fs from "node:fs";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseProcStat, processGroupCpuMs } from "./cpu";

describe("parseProcStat", () => {
  it("reads the process group and user + system ticks, even with spaces and parentheses in the command name", () => {
    const line = "4242 (node (tsx) x) S 4200 4242 4242 0 -1 4194560 9000 0 0 0 150 25 0 0 20 0 11 0 123456 1000000 5000";
    expect(parseProcStat(line)).toEqual({ pgrp: 4242, ticks: 175 });
  });
});

describe.runIf(fs.existsSync("/proc/self/stat"))("processGroupCpuMs", () => {
  it("counts the CPU time a process group burns", async () => {
    // A group of its own (detached): the test runner's group gains and loses processes as other files run.
    const burner = `const s = process.cpuUsage(); while ((({ user, system }) => user + system)(process.cpuUsage(s)) < 300000); console.log("done"); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["-e", burner], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    try {
      await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
      expect(processGroupCpuMs(child.pid!)).toBeGreaterThanOrEqual(250);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
