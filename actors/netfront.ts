// netfront RX interrupt/NAPI mode in the guest: armed (rsp_event set, the
// backend will notify) → polling (netif_rx_schedule; netback sends no more
// notifications) → armed after RING_FINAL_CHECK_FOR_RESPONSES finds nothing.
import { setup } from 'xstate';

export type NetfrontEvent = { type: 'NOTIFY' } | { type: 'POLL_DONE'; more: boolean };

export interface NetfrontDeps {
  /** netif_int: schedule the NAPI poll on the guest VCPU. */
  schedulePoll(): void;
}

export function createNetfrontMachine(deps: NetfrontDeps) {
  return setup({
    types: { events: {} as NetfrontEvent },
    actions: { schedulePoll: () => deps.schedulePoll() },
  }).createMachine({
    id: 'netfront',
    initial: 'armed',
    states: {
      armed: { on: { NOTIFY: { target: 'polling', actions: 'schedulePoll' } } },
      polling: { on: { POLL_DONE: [{ guard: ({ event }) => event.more, target: 'polling' }, { target: 'armed' }] } },
    },
  });
}
