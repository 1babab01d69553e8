// Loss recovery with and without SACK: 40 consecutive segments lost in one
// flow. Linux 2.6.18 with SACK/FACK marks the whole hole lost at once and
// retransmits it as the duplicate ACKs arrive (about one retransmission per
// SACKed arrival), so the hole is repaired within ~2 RTTs; NewReno learns of
// one hole per partial ACK and needs about one RTT per segment.
import { describe, expect, it } from 'vitest';
import { Sim } from '../../../src/kernel/sim.ts';
import type { AckDecision } from '../../../src/net/tcp/ackBatch.ts';
import { TcpReceiver } from '../../../src/net/tcp/receiver.ts';
import { TcpSackSender } from '../../../src/net/tcp/sackSender.ts';
import { TcpSender } from '../../../src/net/tcp/sender.ts';

const ONE_WAY_NS = 150_000; // RTT 300 µs
const SER_NS = 1230; // one 1538-byte frame at 10 Gb/s
const LOST_FROM = 2000;
const LOST = 40;
// A window below the path's BDP (244 segments at 10 Gb/s × 300 µs), so no queue inflates the RTT; the hole is a
// minority of it (with rate halving, one retransmission goes out per two duplicate ACKs).
const WINDOW = 200;

/** One flow over a 10 Gb/s path; the first transmission of segments [2000, 2040) is dropped. Returns ns from the first loss to the repair. */
function repairTimeNs(sack: boolean): number {
  const sim = new Sim({ seed: 1 });
  const tx = sack ? new TcpSackSender({ congestion: 'newreno', initialSsthreshSegs: 200, initialRwndSegs: WINDOW }) : new TcpSender({ congestion: 'newreno', initialSsthreshSegs: 200, initialRwndSegs: WINDOW });
  const rx = new TcpReceiver({ rcvBufBytes: 4 * WINDOW * 1448, sack, quickAckSegs: 0 });
  const sent = new Set<number>();
  let busyUntil = 0;
  let lostAt = -1;
  let repairedAt = -1;
  const deliverAck = (d: AckDecision) => {
    sim.timer(2, ONE_WAY_NS, () => {
      for (let i = 0; i < d.batches.length; i++) {
        const b = d.batches[i]!;
        tx.onAck(b.ackSeq, b.ackPackets, WINDOW, sim.nowNs, b.dupAcks, i === d.batches.length - 1 ? d.sack : undefined);
      }
      pump();
    });
  };
  const pump = () => {
    for (;;) {
      const b = tx.nextBurst(sim.nowNs, 64);
      if (!b) break;
      for (let s = b.firstSeq; s < b.firstSeq + b.count; s++) {
        busyUntil = Math.max(busyUntil, sim.nowNs) + SER_NS;
        const first = !sent.has(s);
        sent.add(s);
        if (first && s >= LOST_FROM && s < LOST_FROM + LOST) {
          if (lostAt < 0) lostAt = busyUntil;
          continue;
        }
        const seq = s;
        sim.timer(1, busyUntil + ONE_WAY_NS - sim.nowNs, () => {
          const d = rx.onData(seq, 1, sim.nowNs);
          rx.read(Number.MAX_SAFE_INTEGER, sim.nowNs); // the application keeps up
          if (repairedAt < 0 && rx.stats().rcvNxt >= LOST_FROM + LOST) repairedAt = sim.nowNs;
          if (d.ackPackets > 0) deliverAck(d);
        });
      }
    }
  };
  pump();
  sim.runUntil(60_000_000, 5_000_000);
  expect(lostAt).toBeGreaterThan(0);
  expect(repairedAt).toBeGreaterThan(0);
  expect(tx.stats().timeouts).toBe(0);
  return repairedAt - lostAt;
}

describe('recovering 40 consecutive lost segments', () => {
  const rtt = 2 * ONE_WAY_NS;
  it('SACK/FACK (Linux 2.6.18 default) repairs the hole within 2 RTTs', () => {
    expect(repairTimeNs(true)).toBeLessThanOrEqual(2 * rtt + LOST * SER_NS * 2);
  });
  it('NewReno needs about one RTT per lost segment', () => {
    expect(repairTimeNs(false)).toBeGreaterThan(0.8 * LOST * rtt);
  });
});

describe('lost retransmissions (tcp_sacktag_write_queue, 2.6.18 with FACK)', () => {
  it('a SACK for data sent after a retransmission marks that retransmission lost again, so it goes out again without an RTO', () => {
    const tx = new TcpSackSender({ congestion: 'newreno', initialSsthreshSegs: 1000, initialRwndSegs: 1000, initialCwndSegs: 40 });
    const t = 1_000_000;
    // 40 segments out.
    while (tx.nextBurst(t, 64));
    // Segment 0 lost: SACKs for 1..10 put the sender into recovery and it retransmits 0.
    for (let k = 1; k <= 10; k++) tx.onAck(0, 1, 1000, t + 10, 1, [1, k + 1]);
    const sent: { seq: number; retx: boolean }[] = [];
    const drain = (now: number) => {
      for (let b = tx.nextBurst(now, 64); b; b = tx.nextBurst(now, 64)) sent.push({ seq: b.firstSeq, retx: b.retransmit });
    };
    drain(t + 10);
    expect(sent[0]).toEqual({ seq: 0, retx: true });
    expect(tx.stats().caState).toBe('recovery');
    // More of the window is SACKed: in flight falls, new data (40 and up) goes out after the retransmission.
    for (let k = 11; k <= 30; k++) {
      tx.onAck(0, 1, 1000, t + 15, 1, [1, k + 1]);
      drain(t + 15);
    }
    // The retransmission is lost too; a SACK now covers a segment sent after it.
    const newSeq = sent.find((x) => !x.retx)!.seq;
    expect(newSeq).toBeGreaterThanOrEqual(40);
    tx.onAck(0, 1, 1000, t + 20, 1, [newSeq, newSeq + 1, 1, 40]);
    const again = tx.nextBurst(t + 20, 64);
    expect(again).toEqual({ firstSeq: 0, count: 1, retransmit: true });
    expect(tx.lostRetransmits).toBe(1);
    expect(tx.stats().timeouts).toBe(0);
  });
});
