/**
 * Live mode: the simulation follows the wall clock, writing every few seconds what
 * happened in the elapsed interval, so a dashboard moves. Stops cleanly on abort.
 */
import type { SimulationRun } from "./backfill.ts";

export interface LiveOptions {
  /** Seconds between writes (default 5). */
  intervalMs?: number;
  signal: AbortSignal;
  /** Wall clock (tests pass a fake one). */
  now?: () => number;
  /** Called after each tick (e.g. to rewrite the truth file). */
  onTick?: (simulatedTo: number) => void | Promise<void>;
}

/** Runs until the signal aborts; everything simulated so far is written before it resolves. */
export async function runLive(run: SimulationRun, options: LiveOptions): Promise<void> {
  const clock = options.now ?? (() => Date.now());
  const interval = options.intervalMs ?? 5000;
  const tick = async () => {
    const t = Math.max(run.simulation.now, clock());
    run.simulation.advanceTo(t);
    run.truth.setEnd(t);
    run.gate.now = t;
    run.gate.release(t);
    // Partial minutes are fine: CloudWatch aggregates datums of the same minute.
    run.writer.metrics(run.metrics.drain(Math.floor(t / 60_000) * 60_000 + 60_000));
    run.writer.flush();
    await run.writer.backpressure();
    await options.onTick?.(t);
  };
  while (!options.signal.aborted) {
    await tick();
    await sleep(interval, options.signal);
  }
  // Final write: what the simulation already decided (including events that end later) goes out.
  run.gate.release();
  run.writer.metrics(run.metrics.drain());
  await run.writer.drain();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
