// Traffic phases for soak runs: a list of (duration, on/off, message size)
// cycled over the whole run; each host applies them on its own timer, so no
// message crosses partitions to keep them in step.
import type { Sim } from '../kernel/sim.ts';

export interface TrafficPhase {
  durationNs: number;
  active: boolean;
  messageBytes: number;
}

/** Cycles through the phases, applying each as it begins (a timer per phase change). */
export class PhaseCycler {
  /** Phases entered so far. */
  entered = 0;

  constructor(
    private readonly sim: Sim,
    private readonly timerActorId: number,
    private readonly phases: readonly TrafficPhase[],
    private readonly apply: (p: TrafficPhase) => void,
  ) {
    if (phases.length > 0) this.enter();
  }

  enter(): void {
    const p = this.phases[this.entered % this.phases.length]!;
    this.apply(p);
    this.entered++;
    this.sim.call(this.timerActorId, p.durationNs, this, 'enter');
  }
}
