// netback per-vif transmit queue state (netif_be_start_xmit): open, or stopped
// by netif_stop_queue when the frontend ring lacks request slots
// (netbk_queue_full); woken by netif_be_int or net_rx_action once it has room.
// The runtime decides (src/net/netback.ts) and reports each change here.
import { setup } from 'xstate';

export type NetbackEvent = { type: 'STOP' } | { type: 'WAKE' };

export function createNetbackMachine() {
  return setup({ types: { events: {} as NetbackEvent } }).createMachine({
    id: 'netback',
    initial: 'open',
    states: {
      open: { on: { STOP: 'stopped' } },
      stopped: { on: { WAKE: 'open' } },
    },
  });
}
