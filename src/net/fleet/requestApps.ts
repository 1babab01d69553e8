// The request-driven applications of one DomU: closed-loop request/response
// clients and servers, and incast aggregators and workers. They decide what
// to write when the guest has read something (a whole request → its
// response; a whole response → the latency sample and the next request; every
// block of a round → the next round); the writes themselves go through the
// guest's application work (guestWork.ts).
import type { Sim } from '../../kernel/sim.ts';
import { ROLE, type FleetConfig } from './config.ts';
import { LatencyHistogram } from './latencyHistogram.ts';

/** What the applications need of the guest's stack. */
export interface AppHost {
  readonly appActive: boolean[];
  appOfSender(s: number): number;
  /** Write `segs` segments on sender s (a request or a response), as soon as the application's thread runs. */
  queueWrite(s: number, segs: number): void;
}

/** An incast aggregator: its workers' request senders and response receivers, and the round in progress. */
interface IncastGroup {
  reqSenders: number[];
  respReceivers: number[];
  done: Uint8Array;
  doneCount: number;
  roundStartNs: number;
  inRound: boolean;
}

export class RequestApps {
  /** Request senders (client side): issue times of requests sent and not yet answered. */
  private sentAt = new Map<number, number[]>();
  /** Response receiver → its request sender (client side). */
  private respToReq = new Map<number, number>();
  /** Request receivers (server side): requests answered so far, and the response sender. */
  private served = new Map<number, number>();
  private reqToResp = new Map<number, number>();
  /** Whole responses (blocks) counted per response receiver. */
  private answered = new Map<number, number>();
  private groups: IncastGroup[] = [];
  private groupOfResp = new Map<number, { g: number; k: number }>();
  readonly latency = new LatencyHistogram();
  requestsDone = 0;
  incastRounds = 0;
  incastRoundNs = 0;

  constructor(
    private readonly sim: Sim,
    private readonly cfg: FleetConfig,
    private readonly host: AppHost,
    sendFlows: readonly number[],
    recvFlows: readonly number[],
    sendIdx: ReadonlyMap<number, number>,
    recvIdx: ReadonlyMap<number, number>,
  ) {
    const t = cfg.flows;
    const groupIdx = new Map<number, number>();
    sendFlows.forEach((f, s) => {
      if (t.role[f] !== ROLE.request) return;
      const r = recvIdx.get(t.peer[f]!)!;
      const gid = t.group[f]!;
      if (gid < 0) {
        this.sentAt.set(s, []);
        this.respToReq.set(r, s);
        this.answered.set(r, 0);
        return;
      }
      let gi = groupIdx.get(gid);
      if (gi === undefined) {
        gi = this.groups.length;
        groupIdx.set(gid, gi);
        this.groups.push({ reqSenders: [], respReceivers: [], done: new Uint8Array(0), doneCount: 0, roundStartNs: 0, inRound: false });
      }
      const g = this.groups[gi]!;
      this.groupOfResp.set(r, { g: gi, k: g.reqSenders.length });
      g.reqSenders.push(s);
      g.respReceivers.push(r);
    });
    for (const g of this.groups) g.done = new Uint8Array(g.reqSenders.length);
    recvFlows.forEach((f, r) => {
      if (t.role[f] !== ROLE.request) return;
      this.served.set(r, 0);
      this.reqToResp.set(r, sendIdx.get(t.peer[f]!)!);
    });
  }

  /** Every client issues its first request, every aggregator starts its first round. */
  start(): void {
    for (const s of this.sentAt.keys()) this.issueRequest(s);
    for (let g = 0; g < this.groups.length; g++) this.startRound(g);
  }

  /** Application `app` switched on: idle clients ask again, idle aggregators start a round. */
  resume(app: number): void {
    for (const [s, sent] of this.sentAt) if (this.host.appOfSender(s) === app && sent.length === 0) this.issueRequest(s);
    this.groups.forEach((g, gi) => {
      if (!g.inRound && this.host.appOfSender(g.reqSenders[0]!) === app) this.startRound(gi);
    });
  }

  private issueRequest(s: number): void {
    const app = this.host.appOfSender(s);
    if (!this.host.appActive[app]) return;
    this.sentAt.get(s)!.push(this.sim.nowNs);
    this.host.queueWrite(s, this.cfg.apps[app]!.requestSegs);
  }

  private startRound(gi: number): void {
    const g = this.groups[gi]!;
    const app = this.host.appOfSender(g.reqSenders[0]!);
    if (!this.host.appActive[app]) return;
    g.inRound = true;
    g.done.fill(0);
    g.doneCount = 0;
    g.roundStartNs = this.sim.nowNs;
    for (const s of g.reqSenders) this.host.queueWrite(s, this.cfg.apps[app]!.requestSegs);
  }

  /** The guest has read `segs` whole segments so far on receiver k of `flow`: answer, count, ask again. */
  onRead(k: number, flow: number, segs: number): void {
    const t = this.cfg.flows;
    const role = t.role[flow];
    if (role === ROLE.bulk) return;
    const app = this.cfg.apps[t.app[flow]!]!;
    if (role === ROLE.request) {
      // Server / incast worker: answer every complete request.
      const done = Math.floor(segs / app.requestSegs);
      const s = this.reqToResp.get(k)!;
      for (let n = this.served.get(k)!; n < done; n++) this.host.queueWrite(s, app.responseSegs);
      this.served.set(k, done);
      return;
    }
    const done = Math.floor(segs / app.responseSegs);
    const inGroup = this.groupOfResp.get(k);
    if (inGroup) {
      // A worker's block of this round is in once its blocks read exceed those already counted.
      const g = this.groups[inGroup.g]!;
      if (g.inRound && !g.done[inGroup.k] && done > (this.answered.get(k) ?? 0)) this.memberDone(inGroup.g, inGroup.k);
      return;
    }
    const s = this.respToReq.get(k)!;
    const sent = this.sentAt.get(s)!;
    for (let n = this.answered.get(k)!; n < done; n++) {
      const t0 = sent.shift();
      if (t0 !== undefined) {
        this.latency.add(this.sim.nowNs - t0);
        this.requestsDone++;
      }
      this.issueRequest(s);
    }
    this.answered.set(k, done);
  }

  private memberDone(gi: number, k: number): void {
    const g = this.groups[gi]!;
    g.done[k] = 1;
    g.doneCount++;
    const r = g.respReceivers[k]!;
    this.answered.set(r, (this.answered.get(r) ?? 0) + 1);
    if (g.doneCount < g.reqSenders.length) return;
    g.inRound = false;
    this.incastRounds++;
    this.incastRoundNs += this.sim.nowNs - g.roundStartNs;
    this.startRound(gi);
  }
}
