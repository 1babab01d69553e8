// What travels over NATS between the partitions of one run (docs/distributed.md,
// "One run over NATS"). Every partition K of run R listens on exactly one
// subject, vioemu.run.R.pK; everything addressed to it arrives there, and NATS
// keeps the order of the messages of one publisher on one subject, so a
// window's batches and report (one message) can never overtake each other.
//
// Envelopes are V8-serialized (structured clone, as between threads in one
// process: Map, undefined, NaN, Infinity and key order arrive as they left);
// the cross-partition batches inside window messages stay msgpackr-encoded,
// exactly as the in-process transport sends them. A message longer than the
// server's max_payload is sent in parts: a 3-byte frame header (kind, sender)
// lets the receiver join the parts of each sender in order.
import { deserialize, serialize } from 'node:v8';
import type { NatsConnection } from 'nats';
import type { PartitionTaskOutput } from '../kernel/partitionTask.ts';
import type { CodeId } from '../queue/protocol.ts';
import type { ScenarioPoint } from '../scenario/load.ts';

/**
 * Bumped when an envelope or the batch encoding changes: a partition refuses offers of another format.
 * 2: one msgpackr stream per ordered pair of partitions (format 1 shared one stream among all peers, which
 * only 2 partitions can read).
 */
export const WIRE_FORMAT = 2;

export const joinSubject = (k: number) => `vioemu.join.p${k}`;
export const inboxSubject = (run: string, k: number) => `vioemu.run.${run}.p${k}`;

/** Coordinator → a waiting partition process (request/reply on vioemu.join.pK). */
export interface Offer {
  t: 'offer';
  format: number;
  run: string;
  k: number;
  n: number;
  coordinator: string;
  code: CodeId;
  point: ScenarioPoint;
  hostPartition: number[];
  lookaheadNs: number;
  pace: number;
  /** Wall ms without a word from a peer before it counts as gone. */
  silenceMs: number;
}

export type OfferReply = { t: 'accept'; name: string; code: CodeId } | { t: 'decline'; name: string; reason: string; fatal: boolean };

export type Envelope =
  /** One window's report to one peer: this partition's batches for it, next-event time, stop wish. */
  | { t: 'win'; from: number; w: number; nextNs: number; stop: boolean; batches: Uint8Array[] }
  /** All N are there: the run starts. `names[k]`: the process that holds partition k (another one that thinks it does leaves). */
  | { t: 'go'; names: string[] }
  /** The coordinator gives up before the run started (Ctrl-C, a partition that never came). */
  | { t: 'cancel'; reason: string }
  | { t: 'hb'; from: number; nowNs: number; events: number }
  /** The sender's partition failed (its own error): leave the barrier. */
  | { t: 'abort'; from: number; message: string }
  /** A partition's output, to the coordinator. */
  | { t: 'result'; from: number; name: string; out: PartitionTaskOutput };

const WHOLE = 0;
const PART = 1;
const LAST = 2;
const HEADER = 3;

/** Publish `env` to `subject`, in parts if it is longer than the server allows. */
export function publish(nc: NatsConnection, subject: string, from: number, env: Envelope): void {
  for (const f of frames(nc, from, serialize(env))) nc.publish(subject, f);
}

/** An offer or a reply: small, always one message. */
export function encodeWhole(nc: NatsConnection, value: Offer | OfferReply): Uint8Array {
  const f = frames(nc, 0, serialize(value));
  if (f.length !== 1) throw new Error(`a ${value.t} message is larger than the NATS server's max_payload`);
  return f[0]!;
}

/** The smallest frame the protocol uses (bytes); a server must accept it and the NATS headroom above it. */
const MIN_FRAME_BYTES = 4096;
/** Smallest `max_payload` a NATS server may have for a run over it. */
export const MIN_MAX_PAYLOAD = MIN_FRAME_BYTES + 64;

/** The frames of one message: one if it fits. */
export function frames(nc: NatsConnection, from: number, body: Uint8Array): Uint8Array[] {
  const limit = Math.max(MIN_FRAME_BYTES, (nc.info?.max_payload ?? 1024 * 1024) - 64);
  const out: Uint8Array[] = [];
  for (let at = 0; ; at += limit - HEADER) {
    const end = Math.min(body.length, at + limit - HEADER);
    const f = new Uint8Array(HEADER + end - at);
    f[0] = at === 0 && end === body.length ? WHOLE : end === body.length ? LAST : PART;
    f[1] = from >> 8;
    f[2] = from & 0xff;
    f.set(body.subarray(at, end), HEADER);
    out.push(f);
    if (end === body.length) return out;
  }
}

/** The partition a frame (whole or part) came from. */
export function frameSender(data: Uint8Array): number {
  return (data[1]! << 8) | data[2]!;
}

/** Joins the parts of each sender; hands back whole envelopes. */
export class Assembler {
  private parts = new Map<number, Uint8Array[]>();

  push(data: Uint8Array): unknown {
    const kind = data[0];
    const from = frameSender(data);
    const body = data.subarray(HEADER);
    if (kind === WHOLE) return deserialize(body);
    let list = this.parts.get(from);
    if (!list) this.parts.set(from, (list = []));
    list.push(body.slice());
    if (kind === PART) return undefined;
    this.parts.delete(from);
    return deserialize(Buffer.concat(list));
  }
}

export function decodeWhole<T>(data: Uint8Array): T {
  if (data[0] !== WHOLE) throw new Error('expected a message in one part');
  return deserialize(data.subarray(HEADER)) as T;
}
