// PCPU actor: idle or running a VCPU. The schedule softirq (raised by
// tickles, slice ends, blocks and migrations) runs the policy's pick in the
// host runtime, which reports the outcome as SWITCH when the PCPU's mode
// changes; TICK is the per-PCPU scheduler tick (credit accounting).
import { setup } from 'xstate';

export type PcpuEvent = { type: 'SWITCH'; running: boolean } | { type: 'TICK' };

export interface PcpuDeps {
  tick(): void;
}

export function createPcpuMachine(deps: PcpuDeps) {
  return setup({
    types: { events: {} as PcpuEvent },
    actions: { tick: () => deps.tick() },
    guards: { toRunning: ({ event }) => event.type === 'SWITCH' && event.running },
  }).createMachine({
    id: 'pcpu',
    initial: 'idle',
    on: { TICK: { actions: 'tick' } },
    states: {
      idle: { on: { SWITCH: { guard: 'toRunning', target: 'running' } } },
      running: { on: { SWITCH: { guard: ({ event }) => !event.running, target: 'idle' } } },
    },
  });
}
