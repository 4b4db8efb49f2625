/**
 * CPU time, which other work on the machine does not inflate the way it
 * inflates wall time: the server processes' (all of a process group, read
 * from /proc on Linux) and this process's own (the load generator).
 */
import fs from "node:fs";
import { execFileSync } from "node:child_process";

/** What a stretch of load cost: the server's and the client's CPU time, and the wall time it took. */
export type CpuUse = {
  wallMs: number;
  serverMs: number;
  clientMs: number;
  /** Server CPU time per completed request. */
  serverMsPerRequest: number;
  /** Cores the server kept busy on average (serverMs / wallMs): below the worker count when the machine is short of CPU. */
  serverCores: number;
  clientCores: number;
};

/** A line of /proc/<pid>/stat: its process group and its user + system CPU time in clock ticks. */
export function parseProcStat(line: string): { pgrp: number; ticks: number } {
  // The command name (field 2) is in parentheses and may hold spaces; the fields after it start at field 3.
  const fields = line
    .slice(line.lastIndexOf(")") + 2)
    .trim()
    .split(/\s+/);
  return { pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU time (ms) used so far by the live processes of process group `pgid`; undefined where /proc is missing. */
export function processGroupCpuMs(pgid: number): number | undefined {
  if (!fs.existsSync("/proc/self/stat")) return undefined;
  let ticks = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let line: string;
    try {
      line = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const stat = parseProcStat(line);
    if (stat.pgrp === pgid) ticks += stat.ticks;
  }
  return (ticks * 1000) / clockTicks();
}

/** Starts measuring; `stop(requests)` returns the CPU use since, or undefined when the server's is unknown. */
export function cpuMeter(serverCpuMs: () => number | undefined): { stop: (requests: number) => CpuUse | undefined } {
  const server = serverCpuMs();
  const client = process.cpuUsage();
  const started = performance.now();
  return {
    stop: (requests) => {
      const serverEnd = serverCpuMs();
      if (server === undefined || serverEnd === undefined) return undefined;
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(client);
      const clientMs = (used.user + used.system) / 1000;
      const serverMs = serverEnd - server;
      return {
        wallMs,
        serverMs,
        clientMs,
        serverMsPerRequest: requests > 0 ? serverMs / requests : Number.NaN,
        serverCores: serverMs / wallMs,
        clientCores: clientMs / wallMs,
      };
    },
  };
}
