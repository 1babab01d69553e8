// Kernel demo model (no Xen): H hosts in a ring joined by links of fixed
// latency; each host runs A token actors (XState, or plain for benchmarks)
// that pass tokens to local and remote actors after RNG-drawn hold times.
// Reports counts and a checksum of the delivery order, which must not depend
// on the worker count.
import { createTokenMachine, type TokenMsg } from '../../actors/token.ts';
import type { MetricDef } from '../kernel/metricSink.ts';
import { actorId, type BuildOptions, type HostInstance } from '../kernel/model.ts';
import type { Actor, Sim } from '../kernel/sim.ts';
import { XStateActor } from '../kernel/xstateHost.ts';

export interface RingConfig {
  hosts: number;
  actorsPerHost: number;
  tokensPerActor: number;
  linkLatencyNs: number;
  meanHoldNs: number;
  remoteFraction: number;
  actorKind: 'xstate' | 'plain';
  /** Fault injection for tests: host 0 throws at this virtual time (ns). */
  crashAtNs: number | null;
}

export interface RingHostResult {
  delivered: number;
  remoteSent: number;
  checksum: number;
}

export const metricDefs: readonly MetricDef[] = [
  { name: 'vioemu_demo_tokens_delivered_total', help: 'Tokens delivered to demo actors', type: 'counter', labelNames: ['host'] },
];

const HOST_CRASH_ACTOR = (1 << 20) - 1;

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Plain-code twin of the XState token machine, for kernel benchmarks. */
class PlainTokenActor implements Actor {
  private holding = false;
  constructor(
    readonly id: number,
    private readonly sim: Sim,
    private readonly queue: TokenMsg[],
    private readonly holdNs: () => number,
    private readonly forwardHead: () => void,
  ) {}

  receive(msg: unknown): void {
    this.queue.push(msg as TokenMsg);
    if (!this.holding) this.hold();
  }

  private hold(): void {
    this.holding = true;
    this.sim.timer(this.id, this.holdNs(), () => {
      this.forwardHead();
      if (this.queue.length > 0) this.hold();
      else this.holding = false;
    });
  }
}

export function buildHost(sim: Sim, cfg: RingConfig, hostIndex: number, _opts: BuildOptions): HostInstance {
  const result: RingHostResult = { delivered: 0, remoteSent: 0, checksum: 0 };
  const hostLabel = [String(hostIndex)];
  const xactors: XStateActor<ReturnType<typeof createTokenMachine>>[] = [];
  for (let a = 0; a < cfg.actorsPerHost; a++) {
    const id = actorId(hostIndex, a);
    const rng = sim.rng(id);
    const queue: TokenMsg[] = [];
    const holdNs = () => 1 + rng.expInt(cfg.meanHoldNs);
    const forwardHead = () => {
      const head = queue.shift()!;
      const token: TokenMsg = { type: 'TOKEN', tokenId: head.tokenId, hops: head.hops + 1 };
      if (cfg.hosts > 1 && rng.bernoulli(cfg.remoteFraction)) {
        result.remoteSent++;
        sim.send(id, actorId((hostIndex + 1) % cfg.hosts, rng.int(cfg.actorsPerHost)), cfg.linkLatencyNs, token);
      } else {
        sim.send(id, actorId(hostIndex, rng.int(cfg.actorsPerHost)), 0, token);
      }
    };
    let inner: Actor;
    if (cfg.actorKind === 'plain') {
      inner = new PlainTokenActor(id, sim, queue, holdNs, forwardHead);
    } else {
      const x = new XStateActor(id, sim, createTokenMachine({
        enqueue: (t) => queue.push(t),
        waiting: () => queue.length,
        holdMs: () => holdNs() / 1e6,
        forwardHead,
      }));
      xactors.push(x);
      inner = x;
    }
    sim.register({
      id,
      receive: (msg: unknown, nowNs: number) => {
        const t = msg as TokenMsg;
        result.delivered++;
        result.checksum = mix(mix(result.checksum, t.tokenId), nowNs % 0x7fffffff);
        sim.metrics.inc('vioemu_demo_tokens_delivered_total', hostLabel);
        inner.receive(msg, nowNs);
      },
    });
    for (let k = 0; k < cfg.tokensPerActor; k++) {
      const tokenId = (hostIndex * cfg.actorsPerHost + a) * cfg.tokensPerActor + k;
      sim.send(id, id, rng.int(cfg.meanHoldNs), { type: 'TOKEN', tokenId, hops: 0 } satisfies TokenMsg);
    }
  }
  if (cfg.crashAtNs !== null && hostIndex === 0) {
    sim.timer(actorId(hostIndex, HOST_CRASH_ACTOR), cfg.crashAtNs, () => {
      throw new Error(`injected crash at ${cfg.crashAtNs} ns (ring.crashAt)`);
    });
  }
  return {
    collect: () => ({ ...result }),
    xstateEvents: () => xactors.reduce((s, a) => s + a.xstateEvents, 0),
  };
}
