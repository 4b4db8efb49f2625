import { recordingAt } from "../app/modules/audit/audit.server";

type Step = { at: number; order: number; run: () => unknown };

/**
 * The demo's history, replayed in the order it happened. Each part of the seed
 * schedules its steps at their dates (a step may schedule later ones while it
 * runs); `play` runs them oldest first, each with its audit events stamped at
 * the step's date, so every organisation's audit chain is appended in time
 * order and still verifies. Steps at the same instant keep the order they were
 * scheduled in.
 */
export class SeedTimeline {
  private steps: Step[] = [];
  private scheduled = 0;
  private clock = Number.NEGATIVE_INFINITY;

  at(when: Date, run: () => unknown): void {
    const at = when.getTime();
    if (Number.isNaN(at)) throw new Error("A seed step needs a valid date");
    if (at < this.clock)
      throw new Error(`A seed step at ${when.toISOString()} was scheduled after the timeline passed ${new Date(this.clock).toISOString()}`);
    this.steps.push({ at, order: this.scheduled++, run });
  }

  /** The time of the step running now (or the last one run). */
  get now(): Date {
    return new Date(this.clock);
  }

  async play(): Promise<void> {
    while (this.steps.length) {
      let next = 0;
      for (let i = 1; i < this.steps.length; i++) {
        const a = this.steps[i]!;
        const b = this.steps[next]!;
        if (a.at < b.at || (a.at === b.at && a.order < b.order)) next = i;
      }
      const [step] = this.steps.splice(next, 1);
      this.clock = step!.at;
      await recordingAt(new Date(step!.at), async () => step!.run());
    }
  }
}

/** `ms` kept inside [from, to] (and `to` never before `from`). */
export function clampTime(ms: number, from: number, to: number): Date {
  return new Date(Math.min(Math.max(ms, from), Math.max(from, to)));
}
