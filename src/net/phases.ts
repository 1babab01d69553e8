// Traffic phases for soak runs: a list of (duration, on/off, message size)
// cycled over the whole run; each host applies them on its own timer, so no
// message crosses partitions to keep them in step.
import type { Sim } from '../kernel/sim.ts';

export interface TrafficPhase {
  durationNs: number;
  active: boolean;
  messageBytes: number;
}

export function schedulePhases(sim: Sim, timerActorId: number, phases: readonly TrafficPhase[], apply: (p: TrafficPhase) => void): void {
  if (phases.length === 0) return;
  let i = 0;
  const enter = () => {
    const p = phases[i % phases.length]!;
    apply(p);
    i++;
    sim.timer(timerActorId, p.durationNs, enter);
  };
  enter();
}
