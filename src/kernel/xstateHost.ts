// Hosts XState v5 actors on the kernel: a kernel-backed `clock` makes `after`
// delays fire in virtual time (XState's SimulatedClock collapses near 10k timers),
// and messages addressed to the actor id become `actor.send` calls.
import { createActor, type AnyActorLogic, type Actor as XActor } from 'xstate';
import type { Actor, Sim, TimerHandle } from './sim.ts';
import { msToNs } from './time.ts';

export function kernelClock(sim: Sim, actorId: number) {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number): TimerHandle => sim.timer(actorId, msToNs(ms), fn),
    clearTimeout: (handle: unknown): void => sim.cancel(handle as TimerHandle),
  };
}

/** An XState actor registered in the kernel under a numeric id. */
export class XStateActor<L extends AnyActorLogic> implements Actor {
  readonly actor: XActor<L>;
  xstateEvents = 0;

  constructor(readonly id: number, sim: Sim, logic: L, input?: unknown) {
    this.actor = createActor(logic, { clock: kernelClock(sim, id), input } as never) as XActor<L>;
    this.actor.start();
  }

  receive(msg: unknown, _nowNs?: number): void {
    this.xstateEvents++;
    this.actor.send(msg as never);
  }

  /** Send an event now, from model code on the same partition. */
  send(event: Parameters<XActor<L>['send']>[0]): void {
    this.xstateEvents++;
    this.actor.send(event);
  }
}
