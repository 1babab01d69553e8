// The windowed protocol of one run over NATS (docs/distributed.md, "One run
// over NATS"): the main-thread half of a partition whose peers run in other
// processes. Its partition runs on a worker thread behind a RelayTransport
// (src/kernel/relayTransport.ts); per window it posts its batches per
// destination and its report (next-event time, stop wish). This side sends
// each peer one message on the peer's subject — that peer's batches plus the
// report — and waits for the same from every peer. All N reports are then
// known to every partition, and each computes the same decision itself:
// GVT = the minimum next-event time, stop = anyone's wish. No coordinator
// sits in the loop. Received batches are handed to the partition in the order
// of their senders, as the in-process transport does.
//
// A run never hangs on the network: every message from a peer (windows,
// heartbeats sent every second from its main thread, so also while it computes
// a long window) proves it alive; a peer silent for `silenceMs`, the server
// closing the connection (no reconnect: core NATS would lose the messages in
// between) or a peer's own failure each end the partition's loop with an
// error naming what happened, and the partition returns what it has.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { NatsConnection, Subscription } from 'nats';
import { SharedControl } from '../kernel/barrier.ts';
import { ABORT_ECHO_MESSAGE, type PartitionTaskInput, type PartitionTaskOutput } from '../kernel/partitionTask.ts';
import { RELAY_WAKE_BYTES, TRANSPORT_ERROR, type FromRelay, type ToRelay } from '../kernel/relayTransport.ts';
import type { PartitionPool } from '../kernel/runner.ts';
import { formatNs } from '../kernel/time.ts';
import { Assembler, frameSender, inboxSubject, publish, type Envelope } from './wire.ts';

export const HEARTBEAT_MS = 1_000;
/**
 * Once this process was asked to stop (Ctrl-C), a peer silent this long counts as gone: its window report,
 * which the stop waits for, is not coming. Without it Ctrl-C waited out the whole --transport-timeout.
 */
export const STOPPING_SILENCE_MS = 3 * HEARTBEAT_MS;

interface Report {
  nextNs: number;
  stop: boolean;
  batches: Uint8Array[];
}

export interface NatsTransportOptions {
  nc: NatsConnection;
  run: string;
  self: number;
  partitions: number;
  /** The server as users name it (no credentials), for messages. */
  shown: string;
  silenceMs: number;
  /** An outside stop request (Ctrl-C): joins this partition's next window report. */
  stopRequested: () => boolean;
  say: (line: string) => void;
}

export class NatsTransport {
  readonly control: SharedControl;
  private readonly sub: Subscription;
  private readonly assembler = new Assembler();
  private readonly windows = new Map<number, { reports: (Report | undefined)[]; got: number }>();
  private pending: Uint8Array[][];
  private port: MessagePort | null = null;
  private wake: Int32Array | null = null;
  private simRunning = false;
  /** Peers whose silence counts, and when each was last heard from. */
  private readonly watched = new Set<number>();
  private readonly lastHeard: number[];
  private readonly timers: NodeJS.Timeout[] = [];
  private waiters: (() => void)[] = [];
  private closing = false;
  /** Peers' last progress (heartbeats). */
  readonly progress: { nowNs: number; events: number }[];
  readonly results = new Map<number, { name: string; out: PartitionTaskOutput }>();
  /** Peers given up on (silent), with why. */
  readonly gone = new Map<number, string>();
  /** Why this transport failed (first reason), if it did. */
  failure: { name: string; message: string } | null = null;
  /** What the first peer that aborted said (its own failure, or that it was stopped before the run started). */
  peerAbort: string | null = null;
  serverGone = false;
  /** The start, with the process of each partition. */
  go: string[] | null = null;
  cancelled: string | null = null;
  decidedWindows = 0;

  constructor(private readonly o: NatsTransportOptions) {
    const P = o.partitions;
    this.control = new SharedControl(P);
    this.control.f64.fill(0);
    this.pending = Array.from({ length: P }, () => []);
    this.lastHeard = new Array<number>(P).fill(Date.now());
    this.progress = Array.from({ length: P }, () => ({ nowNs: 0, events: 0 }));
    this.sub = o.nc.subscribe(inboxSubject(o.run, o.self), { callback: (err, msg) => (err ? undefined : this.onMessage(msg.data)) });
    this.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_MS));
    this.timers.push(setInterval(() => this.checkSilence(), Math.min(500, o.silenceMs / 4)));
    void o.nc.closed().then(() => {
      if (this.closing) return;
      this.serverGone = true;
      this.fail(TRANSPORT_ERROR, `NATS server at ${o.shown} went away at virtual time ${formatNs(this.ownProgress().nowNs)}`);
    });
  }

  /** Start counting `peers`' silence from now. */
  watch(peers: Iterable<number>): void {
    const now = Date.now();
    for (const p of peers) {
      if (p === this.o.self) continue;
      this.watched.add(p);
      this.lastHeard[p] = now;
    }
  }

  unwatch(p: number): void {
    this.watched.delete(p);
  }

  ownProgress(): { nowNs: number; events: number } {
    const P = this.o.partitions;
    return { nowNs: this.control.f64[P + 1 + this.o.self]!, events: this.control.f64[2 * P + 1 + this.o.self]! };
  }

  /** Resolves at the next change of state (a message, a failure): for loops that wait on a condition. */
  changed(timeoutMs = 250): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(dst: number, env: Envelope): boolean {
    if (this.o.nc.isClosed()) return false;
    try {
      publish(this.o.nc, inboxSubject(this.o.run, dst), this.o.self, env);
      return true;
    } catch {
      return false;
    }
  }

  private peers(): number[] {
    return Array.from({ length: this.o.partitions }, (_, p) => p).filter((p) => p !== this.o.self);
  }

  private heartbeat(): void {
    const { nowNs, events } = this.ownProgress();
    for (const p of this.peers()) this.send(p, { t: 'hb', from: this.o.self, nowNs, events });
  }

  private checkSilence(): void {
    const now = Date.now();
    const stopping = this.o.stopRequested() && STOPPING_SILENCE_MS < this.o.silenceMs;
    const limit = stopping ? STOPPING_SILENCE_MS : this.o.silenceMs;
    for (const p of this.watched) {
      if (now - this.lastHeard[p]! <= limit) continue;
      const why = stopping
        ? `partition ${p} sent nothing for ${((now - this.lastHeard[p]!) / 1e3).toFixed(0)} s while this process was stopping (its process stopped or the network is cut)`
        : `partition ${p} sent nothing for ${(this.o.silenceMs / 1e3).toFixed(0)} s (its process stopped or the network is cut)`;
      this.gone.set(p, why);
      this.watched.delete(p);
      this.fail(TRANSPORT_ERROR, `${why}; at virtual time ${formatNs(this.ownProgress().nowNs)}`);
    }
  }

  private onMessage(data: Uint8Array): void {
    // Every frame names its sender: a peer sending a long message in parts is heard from at each part (a
    // result that takes seconds to arrive must not read as silence, least of all under the stopping rule).
    const from = frameSender(data);
    if (from < this.o.partitions) this.lastHeard[from] = Date.now();
    let env: Envelope | undefined;
    try {
      env = this.assembler.push(data) as Envelope | undefined;
    } catch (e) {
      this.fail(TRANSPORT_ERROR, `unreadable message on ${inboxSubject(this.o.run, this.o.self)}: ${(e as Error).message}`);
      return;
    }
    if (!env) return;
    switch (env.t) {
      case 'win': {
        let win = this.windows.get(env.w);
        if (!win) this.windows.set(env.w, (win = { reports: new Array(this.o.partitions).fill(undefined), got: 0 }));
        if (!win.reports[env.from]) win.got++;
        win.reports[env.from] = { nextNs: env.nextNs, stop: env.stop, batches: env.batches };
        this.decide(env.w);
        break;
      }
      case 'hb':
        this.progress[env.from] = { nowNs: env.nowNs, events: env.events };
        break;
      case 'abort':
        // Another partition failed on its own: leave the barrier as the in-process partitions do.
        this.peerAbort ??= env.message;
        this.control.abort();
        this.fail('Error', ABORT_ECHO_MESSAGE);
        break;
      case 'result':
        this.results.set(env.from, { name: env.name, out: env.out });
        this.watched.delete(env.from);
        break;
      case 'go':
        this.go = env.names;
        break;
      case 'cancel':
        this.cancelled = env.reason;
        break;
    }
    this.notify();
  }

  /** Run this partition on `pool` (one thread) and take part in the windows; resolves with its output. */
  runPartition(pool: PartitionPool, input: Omit<PartitionTaskInput, 'controlBuffer' | 'relay'>): Promise<PartitionTaskOutput> {
    const ch = new MessageChannel();
    const wake = new SharedArrayBuffer(RELAY_WAKE_BYTES);
    this.port = ch.port1;
    this.wake = new Int32Array(wake, 0, 1);
    this.port.on('message', (m: ToRelay) => this.onSim(m));
    this.simRunning = true;
    this.watch(this.peers());
    if (this.failure) this.post({ t: 'fail', ...this.failure });
    const task = pool.runTask({ ...input, controlBuffer: this.control.buffer, relay: { wake, port: ch.port2 } }, [ch.port2]);
    return task
      .catch((e: Error): PartitionTaskOutput => {
        // The thread itself died (not a model error caught in the task): keep what it last reported, as a local run does.
        const { nowNs, events } = this.ownProgress();
        return {
          self: input.self, hosts: [], reachedNs: nowNs, events, xstateEvents: 0, windows: this.decidedWindows, crossMessages: 0, interrupted: true, trace: [],
          error: { name: e.name, message: `worker thread failed: ${e.message}`, stack: e.stack, partition: input.self, atNs: nowNs, echo: false }, startedAtMs: NaN,
        };
      })
      .finally(() => {
        this.simRunning = false;
        this.port?.close();
        this.port = null;
      })
      .then((out) => {
      // Its own failure: tell the peers, which would otherwise wait for this partition's next window.
      if (out.error && !out.error.echo) for (const p of this.peers()) this.send(p, { t: 'abort', from: this.o.self, message: out.error.message });
      return out;
    });
  }

  private post(m: FromRelay): void {
    if (!this.port || !this.wake) return;
    this.port.postMessage(m);
    Atomics.add(this.wake, 0, 1);
    Atomics.notify(this.wake, 0);
  }

  private onSim(m: ToRelay): void {
    if (m.t === 'batch') {
      this.pending[m.dst]!.push(m.bytes);
      return;
    }
    if (this.failure) return; // the partition has its answer (the failure) already
    const report: Report = { nextNs: m.nextNs, stop: m.stop || this.o.stopRequested(), batches: [] };
    for (const p of this.peers()) {
      this.send(p, { t: 'win', from: this.o.self, w: m.w, nextNs: report.nextNs, stop: report.stop, batches: this.pending[p]! });
      this.pending[p] = [];
    }
    let win = this.windows.get(m.w);
    if (!win) this.windows.set(m.w, (win = { reports: new Array(this.o.partitions).fill(undefined), got: 0 }));
    win.reports[this.o.self] = report;
    win.got++;
    this.decide(m.w);
  }

  /** Every partition's report for window w is in: the same decision everywhere. */
  private decide(w: number): void {
    const win = this.windows.get(w);
    if (!win || win.got < this.o.partitions || this.failure) return;
    this.windows.delete(w);
    let gvtNs = Infinity;
    let stop = false;
    const batches: Uint8Array[] = [];
    const from: number[] = [];
    win.reports.forEach((r, p) => {
      gvtNs = Math.min(gvtNs, r!.nextNs);
      stop ||= r!.stop;
      if (p !== this.o.self) {
        for (const b of r!.batches) {
          batches.push(b);
          from.push(p);
        }
      }
    });
    this.decidedWindows++;
    this.post({ t: 'decision', w, gvtNs, stop, batches, from });
  }

  /** End the partition's loop with an error (once; later reasons are the consequences of the first). */
  fail(name: string, message: string): void {
    if (!this.failure) {
      this.failure = { name, message };
      if (this.simRunning) this.post({ t: 'fail', name, message });
    }
    this.notify();
  }

  /** Stop timers and listening; the connection stays the caller's. */
  close(): void {
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    try {
      this.sub.unsubscribe();
    } catch {
      // connection already closed
    }
    this.notify();
  }
}
