// Kernel demo actor: holds each token it receives for an RNG-drawn time
// (an XState `after` delay on the kernel clock), then passes it on. The token
// queue is plain data owned by the host code; the machine holds only the mode.
import { setup } from 'xstate';

export interface TokenMsg {
  type: 'TOKEN';
  tokenId: number;
  hops: number;
}

export interface TokenDeps {
  /** Queue a received token. */
  enqueue(token: TokenMsg): void;
  /** Tokens still waiting (including the one being held). */
  waiting(): number;
  /** Draw the next hold time in ms (fractional; the kernel clock rounds to ns). */
  holdMs(): number;
  /** Pass the oldest token on. */
  forwardHead(): void;
}

export function createTokenMachine(deps: TokenDeps) {
  return setup({
    types: { events: {} as TokenMsg },
    actions: {
      enqueue: (_, token: TokenMsg) => deps.enqueue(token),
      forwardHead: () => deps.forwardHead(),
    },
    guards: { moreWaiting: () => deps.waiting() > 0 },
    delays: { hold: () => deps.holdMs() },
  }).createMachine({
    id: 'token',
    initial: 'idle',
    states: {
      idle: {
        on: { TOKEN: { target: 'holding', actions: { type: 'enqueue', params: ({ event }) => event } } },
      },
      holding: {
        on: { TOKEN: { actions: { type: 'enqueue', params: ({ event }) => event } } },
        after: {
          hold: [{ actions: 'forwardHead', target: 'released' }],
        },
      },
      released: {
        always: [{ guard: 'moreWaiting', target: 'holding' }, { target: 'idle' }],
      },
    },
  });
}
