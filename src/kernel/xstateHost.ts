// Hosts XState v5 machines on the kernel: a kernel-backed `clock` makes `after`
// delays fire in virtual time (XState's SimulatedClock collapses near 10k
// timers), and messages addressed to the actor id become events. Flat
// machines (every component machine in actors/) run from their XState
// definition through kernel/flatMachine.ts — XState's own transition rules at
// a table lookup per event; anything else runs as a real XState actor.
import { createActor, type AnyActorLogic, type AnyStateMachine, type Actor as XActor } from 'xstate';
import { compileFlatMachine, FlatMachineRun, type MachineEvent } from './flatMachine.ts';
import type { Actor, Sim, TimerHandle } from './sim.ts';
import { msToNs } from './time.ts';

export function kernelClock(sim: Sim, actorId: number) {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, ms: number): TimerHandle => sim.timer(actorId, msToNs(ms), fn),
    clearTimeout: (handle: unknown): void => sim.cancel(handle as TimerHandle),
  };
}

/** An XState machine registered in the kernel under a numeric id. */
export class XStateActor<L extends AnyActorLogic> implements Actor {
  /** The interpreted XState actor, when the machine is not flat (or `interpret` was asked for). */
  readonly actor: XActor<L> | null = null;
  private readonly flat: FlatMachineRun | null = null;
  xstateEvents = 0;

  constructor(readonly id: number, sim: Sim, logic: L, input?: unknown, opts: { interpret?: boolean } = {}) {
    const compiled = !opts.interpret && input === undefined && 'root' in (logic as object) ? compileFlatMachine(logic as unknown as AnyStateMachine) : null;
    if (compiled) {
      this.flat = new FlatMachineRun(compiled, {
        call: (target, method, ms, arg) => sim.call(id, msToNs(ms), target, method, arg),
        cancel: (h) => sim.cancel(h as TimerHandle),
      });
      return;
    }
    this.actor = createActor(logic, { clock: kernelClock(sim, id), input } as never) as XActor<L>;
    this.actor.start();
  }

  /** The current state's name. */
  get value(): string {
    return this.flat ? this.flat.value : String((this.actor!.getSnapshot() as { value: unknown }).value);
  }

  receive(msg: unknown, _nowNs?: number): void {
    this.send(msg as Parameters<XActor<L>['send']>[0]);
  }

  /** Send an event now, from model code on the same partition. */
  send(event: Parameters<XActor<L>['send']>[0]): void {
    this.xstateEvents++;
    if (this.flat) this.flat.send(event as unknown as MachineEvent);
    else this.actor!.send(event);
  }
}
