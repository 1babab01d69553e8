// PCPU actor: idle or running a VCPU. SCHEDULE (the schedule softirq, raised
// by tickles, slice ends, blocks and migrations) runs the policy's pick; TICK
// is the per-PCPU scheduler tick (credit accounting). The runtime performs the
// context switch and executes work; the machine holds the mode.
import { setup } from 'xstate';

export type PcpuEvent = { type: 'SCHEDULE' } | { type: 'TICK' };

export interface PcpuDeps {
  /** Run the policy's pick and switch to it. */
  schedule(): void;
  tick(): void;
  /** A VCPU (not the idle VCPU) holds this PCPU now. */
  runsVcpu(): boolean;
}

export function createPcpuMachine(deps: PcpuDeps) {
  return setup({
    types: { events: {} as PcpuEvent },
    actions: { schedule: () => deps.schedule(), tick: () => deps.tick() },
    guards: { runsVcpu: () => deps.runsVcpu() },
  }).createMachine({
    id: 'pcpu',
    initial: 'idle',
    on: {
      TICK: { actions: 'tick' },
      SCHEDULE: { target: '.deciding', actions: 'schedule' },
    },
    states: {
      deciding: { always: [{ guard: 'runsVcpu', target: 'running' }, { target: 'idle' }] },
      idle: {},
      running: {},
    },
  });
}
