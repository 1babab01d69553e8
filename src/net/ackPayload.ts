// ACK packets travelling as a run in the same queues as data (fleet hosts:
// every guest sends and receives, so ACKs share the vif, ring and switch
// queues with data). A run of ACK packets carries what its receiver decided:
// the [ackSeq, packets, dupAcks] triples of tcp/ackBatch.ts, the window and
// the last ACK's SACK blocks. Queues split such a run like a data run (a
// partial dequeue, drop-tail of its last packets), so the split keeps the
// per-packet meaning: the head gets the first k ACK packets, the tail the rest.

export interface AckPayload {
  /** Cumulative ack before the first packet of the run (the base of the first triple's equal steps). */
  fromSeq: number;
  /** [ackSeq, ackPackets, dupAcks] triples, in order (as AcksMsg.batches). */
  batches: number[];
  rwndSegs: number;
  /** SACK blocks of the run's last ACK ([start, end) pairs); only the last ACK carries them. */
  sack?: number[];
}

/** Flatten an ACK decision's batches (tcp/ackBatch.ts) into the wire's triple list. */
export function ackTriples(d: { readonly batches: readonly { ackSeq: number; ackPackets: number; dupAcks: number }[] }): number[] {
  const out: number[] = [];
  for (const b of d.batches) out.push(b.ackSeq, b.ackPackets, b.dupAcks);
  return out;
}

/** ACK packets in a payload. */
export function ackPackets(p: AckPayload): number {
  let n = 0;
  for (let i = 1; i < p.batches.length; i += 3) n += p.batches[i]!;
  return n;
}

/**
 * Split after the first `k` ACK packets (0 < k < packets): returns the head;
 * `p` keeps the tail. Inside a run of advancing ACKs the head's last value is
 * the one the k-th ACK carried (floor of the equal steps, as the sender
 * reads them); duplicates split into duplicates. SACK blocks stay with the
 * tail, whose last ACK carried them.
 */
export function splitAck(p: AckPayload, k: number): AckPayload {
  const head: number[] = [];
  let prev = p.fromSeq;
  let i = 0;
  let left = k;
  const b = p.batches;
  while (left > 0 && i < b.length) {
    const ackSeq = b[i]!;
    const n = b[i + 1]!;
    const dups = b[i + 2]!;
    if (left >= n) {
      head.push(ackSeq, n, dups);
      left -= n;
      prev = ackSeq;
      i += 3;
      continue;
    }
    const adv = n - dups;
    if (left <= adv) {
      // The first `left` of the advancing ACKs: they end where the left-th step ends.
      const mid = prev + Math.floor((left * (ackSeq - prev)) / Math.max(1, adv));
      head.push(mid, left, 0);
      b[i + 1] = n - left;
      prev = mid;
    } else {
      head.push(ackSeq, left, left - adv);
      b[i + 1] = n - left;
      b[i + 2] = n - left;
      prev = ackSeq;
    }
    left = 0;
  }
  p.batches = b.slice(i);
  const headFrom = p.fromSeq;
  p.fromSeq = prev;
  return { fromSeq: headFrom, batches: head, rwndSegs: p.rwndSegs };
}
