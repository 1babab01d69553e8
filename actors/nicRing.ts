// NIC RX ring interrupt/NAPI mode: armed (IRQ enabled) → coalescing (the
// interrupt throttle holds the IRQ back) → polling (IRQ off, NAPI scheduled on
// the IRQ's CPU) → armed again when a poll empties the ring (napi_complete).
// A transmit-done interrupt (ixgb TXDW) fires the IRQ at once when enabled.
import { setup } from 'xstate';

export type NicEvent = { type: 'RX' } | { type: 'TXDW' } | { type: 'POLL_DONE'; ringEmpty: boolean };

export interface NicDeps {
  /** ms until the throttle lets the next interrupt through (0 = now). */
  holdMs(): number;
  /** Deliver the interrupt: schedule NAPI on the bound CPU. */
  fireIrq(): void;
}

export function createNicRingMachine(deps: NicDeps) {
  return setup({
    types: { events: {} as NicEvent },
    actions: { fireIrq: () => deps.fireIrq() },
    delays: { throttle: () => deps.holdMs() },
  }).createMachine({
    id: 'nicRing',
    initial: 'armed',
    states: {
      armed: { on: { RX: 'coalescing', TXDW: { target: 'polling', actions: 'fireIrq' } } },
      coalescing: { on: { TXDW: { target: 'polling', actions: 'fireIrq' } }, after: { throttle: { target: 'polling', actions: 'fireIrq' } } },
      polling: {
        on: {
          POLL_DONE: [{ guard: ({ event }) => event.ringEmpty, target: 'armed' }, { target: 'coalescing' }],
        },
      },
    },
  });
}
