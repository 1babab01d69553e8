// A switch's control mode: idle (every output queue empty) → forwarding
// (frames queued somewhere) → congested (a queue overflowed and dropped during
// this busy period) → idle once every queue has drained. The drain check is a
// delayed transition on the kernel clock at the time the longest queue will
// have emptied; the `drained` guard decides. Forwarding and drop-tail
// themselves are arithmetic over the ports (src/net/fleet/outputPorts.ts).
import { setup } from 'xstate';

export type SwitchEvent = { type: 'FRAMES' } | { type: 'OVERFLOW' };

export interface SwitchDeps {
  /** ms until the longest output queue will have drained (> 0). */
  drainMs(): number;
  /** Every output queue is empty now. */
  drained(): boolean;
  /** A congestion episode began (first drop of a busy period). */
  congested(): void;
  /** The switch went idle (end of a busy period). */
  idle(): void;
}

export function createSwitchMachine(deps: SwitchDeps) {
  return setup({
    types: { events: {} as SwitchEvent },
    actions: { congested: () => deps.congested(), idle: () => deps.idle() },
    guards: { drained: () => deps.drained() },
    delays: { drain: () => deps.drainMs() },
  }).createMachine({
    id: 'switch',
    initial: 'idle',
    states: {
      idle: { on: { FRAMES: 'forwarding' } },
      forwarding: {
        on: { OVERFLOW: { target: 'congested', actions: 'congested' } },
        after: { drain: [{ guard: 'drained', target: 'idle', actions: 'idle' }, { target: 'forwarding', reenter: true }] },
      },
      congested: {
        after: { drain: [{ guard: 'drained', target: 'idle', actions: 'idle' }, { target: 'congested', reenter: true }] },
      },
    },
  });
}
