// Timers as objects of the model (checkpointable: the kernel's event names the
// object and its method, the callback is the one built with the host).
import type { Sim } from './sim.ts';

/** Runs `fn` every `periodNs`, the first time after `firstNs`. */
export class Every {
  fired = 0;
  constructor(
    private readonly sim: Sim,
    private readonly actorId: number,
    protected readonly periodNs: number,
    private readonly fn: () => void,
    firstNs: number = periodNs,
  ) {
    sim.call(actorId, firstNs, this, 'fire');
  }

  fire(): void {
    this.fired++;
    this.fn();
    this.sim.call(this.actorId, this.periodNs, this, 'fire');
  }
}

/**
 * Pushes what a host counts to its metric series every `periodNs`, 1 ns before
 * each multiple of it: OpenMetrics samples and checkpoints are taken at the
 * multiples, after every event before them, so they see this push rather than
 * the one a period earlier. `push(last)`: `last` is the end-of-run push, over
 * less than a period.
 */
export class MetricsSampler extends Every {
  constructor(
    sim: Sim,
    actorId: number,
    periodNs: number,
    private readonly push: (last: boolean) => void,
  ) {
    super(sim, actorId, periodNs, () => push(false), Math.max(1, periodNs - 1));
  }

  /**
   * At the end of a run (or where it stopped): the last push was 1 ns before the last multiple of the period,
   * so a run that ends anywhere else would leave its counters up to a period behind its result. Pushes once
   * more then; a run that ends on a multiple was pushed 1 ns before it, as OpenMetrics samples see it.
   */
  pushAtEnd(endNs: number): void {
    if (endNs % this.periodNs !== 0) this.push(true);
  }
}

export function metricsSampler(sim: Sim, actorId: number, periodNs: number, push: (last: boolean) => void): MetricsSampler {
  return new MetricsSampler(sim, actorId, periodNs, push);
}

/** Runs `fn` once after `delayNs`. */
export class Once {
  fired = false;
  constructor(
    sim: Sim,
    actorId: number,
    delayNs: number,
    private readonly fn: () => void,
  ) {
    sim.call(actorId, delayNs, this, 'fire');
  }

  fire(): void {
    this.fired = true;
    this.fn();
  }
}
