// netback per-vif transmit queue state (netif_be_start_xmit): open, or stopped
// by netif_stop_queue when the frontend ring lacks request slots
// (netbk_queue_full); woken by netif_be_int or net_rx_action once it has room.
import { setup } from 'xstate';

export type NetbackEvent = { type: 'STOP' } | { type: 'WAKE' };

export interface NetbackDeps {
  /** The queue woke: move what waits in the qdisc into netback. */
  drainQdisc(): void;
}

export function createNetbackMachine(deps: NetbackDeps) {
  return setup({
    types: { events: {} as NetbackEvent },
    actions: { drainQdisc: () => deps.drainQdisc() },
  }).createMachine({
    id: 'netback',
    initial: 'open',
    states: {
      open: { on: { STOP: 'stopped' } },
      stopped: { on: { WAKE: { target: 'open', actions: 'drainQdisc' } } },
    },
  });
}
