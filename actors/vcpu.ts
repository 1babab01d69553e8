// VCPU actor: the scheduling mode of one virtual CPU. Event-channel notifies
// wake it (blocked → runnable); its PCPU runs and deschedules it; it blocks
// when its guest runs out of work (SCHEDOP_block). Credit, priority and run
// queues live in the policy; the runtime does the arithmetic.
import { setup } from 'xstate';

export type VcpuEvent =
  | { type: 'NOTIFY'; waker: number }
  | { type: 'RUN'; pcpu: number }
  | { type: 'DESCHEDULE' }
  | { type: 'BLOCK' }
  | { type: 'PAUSE' }
  | { type: 'UNPAUSE' };

export interface VcpuDeps {
  /** Scheduler wake (policy.wake + tickles); waker = -1 for none. */
  wake(waker: number): void;
  /** The guest blocked while running: tell the policy, reschedule its PCPU. */
  sleep(): void;
  /** Pending work after an unpause? */
  wantsCpu(): boolean;
  /** Remove a paused runnable VCPU from its run queue. */
  dequeue(): void;
  setState(state: 'blocked' | 'runnable' | 'running'): void;
}

export function createVcpuMachine(deps: VcpuDeps) {
  return setup({
    types: { events: {} as VcpuEvent },
    actions: {
      wake: (_, p: { waker: number }) => deps.wake(p.waker),
      sleep: () => deps.sleep(),
      dequeue: () => deps.dequeue(),
      markBlocked: () => deps.setState('blocked'),
      markRunnable: () => deps.setState('runnable'),
      markRunning: () => deps.setState('running'),
    },
    guards: { wantsCpu: () => deps.wantsCpu() },
  }).createMachine({
    id: 'vcpu',
    initial: 'blocked',
    states: {
      blocked: {
        entry: 'markBlocked',
        on: {
          NOTIFY: { target: 'runnable', actions: { type: 'wake', params: ({ event }) => ({ waker: event.waker }) } },
          PAUSE: 'paused',
        },
      },
      runnable: {
        entry: 'markRunnable',
        on: { RUN: 'running', PAUSE: { target: 'paused', actions: 'dequeue' } },
      },
      running: {
        entry: 'markRunning',
        on: {
          DESCHEDULE: 'runnable',
          BLOCK: { target: 'blocked', actions: 'sleep' },
          PAUSE: { target: 'paused', actions: 'sleep' },
        },
      },
      // Parked by the credit cap (csched_acct → vcpu_pause_nosync).
      paused: {
        entry: 'markBlocked',
        on: {
          UNPAUSE: [
            { guard: 'wantsCpu', target: 'runnable', actions: { type: 'wake', params: () => ({ waker: -1 }) } },
            { target: 'blocked' },
          ],
        },
      },
    },
  });
}
