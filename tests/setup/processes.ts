/** Processes as Linux's /proc shows them, for tests that start and stop the server. */
import fs from "node:fs";

/** `pid`'s state letter and parent, or undefined when the process is gone. */
function stat(pid: number | string): { state: string; ppid: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** True while `pid` exists and is not a zombie (exited, waiting for its parent to notice). */
export function isRunning(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== "Z";
}

/** Live child processes of `pid`. */
export function childrenOf(pid: number): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      const s = stat(entry);
      return s !== undefined && s.state !== "Z" && s.ppid === pid;
    })
    .map(Number);
}

/** Live children, grandchildren… of `pid`. */
export function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return [...children, ...children.flatMap(descendantsOf)];
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
