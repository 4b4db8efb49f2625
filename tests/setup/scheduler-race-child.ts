/**
 * One process of the scheduler race in app/utils/scheduler.server.test.ts: it
 * waits for the go file, then ticks a scheduler whose one job ("race") appends
 * this process's id to OUT_FILE. Environment: DATABASE_URL, OUT_FILE, GO_FILE,
 * NOW (the clock, ISO), READY_FILE (written once loaded).
 */
import fs from "node:fs";
import { createScheduler } from "../../app/utils/scheduler.server";
import { every } from "../../app/utils/schedule";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
const [OUT_FILE, GO_FILE, NOW, READY_FILE] = ["OUT_FILE", "GO_FILE", "NOW", "READY_FILE"].map(required) as [string, string, string, string];
const scheduler = createScheduler([{ name: "race", next: every(3_600_000), run: () => fs.appendFileSync(OUT_FILE, `${process.pid}\n`) }], {
  clock: () => new Date(NOW),
});
fs.writeFileSync(READY_FILE, "ready");
while (!fs.existsSync(GO_FILE)) {
  // spin: every process starts its tick within a millisecond or so of the others
}
const outcomes = await scheduler.tick();
console.log(JSON.stringify(outcomes));
