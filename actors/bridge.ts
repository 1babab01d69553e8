// Linux bridge port/FDB control: forwarding, with the periodic garbage
// collection of aged entries (br_fdb_cleanup runs every ageing/…; here each
// `ageCheck`). Forwarding itself is arithmetic in src/net/bridge.ts.
import { setup } from 'xstate';

export type BridgeEvent = { type: 'LEARNED' };

export interface BridgeDeps {
  ageCheckMs: number;
  age(): void;
  learned(): void;
}

export function createBridgeMachine(deps: BridgeDeps) {
  return setup({
    types: { events: {} as BridgeEvent },
    actions: { age: () => deps.age(), learned: () => deps.learned() },
    delays: { ageCheck: () => deps.ageCheckMs },
  }).createMachine({
    id: 'bridge',
    initial: 'forwarding',
    states: {
      forwarding: {
        on: { LEARNED: { actions: 'learned' } },
        after: { ageCheck: { target: 'forwarding', reenter: true, actions: 'age' } },
      },
    },
  });
}
