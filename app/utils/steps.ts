/**
 * Long synchronous work written once, as a generator that yields between
 * steps (a batch of rows, say), and run in one of two ways:
 * - `finishNow`: to the end at once, for CLIs, jobs and tests;
 * - `finishYielding`: giving the event loop a turn after each step, for a
 *   request, so a walk of seconds never holds the worker that serves everyone
 *   else meanwhile.
 */
export type Steps<T> = Generator<void, T, void>;

export function finishNow<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function finishYielding<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
