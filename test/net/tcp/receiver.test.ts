import { describe, expect, it } from 'vitest';
import { ORDER_HASH_SEED, orderHashOfPrefix, orderHashStep } from '../../../src/net/tcp/orderHash.ts';
import { TcpReceiver } from '../../../src/net/tcp/receiver.ts';

const MS = 1_000_000;
const MSS = 1448;

describe('TcpReceiver delayed ACKs', () => {
  it('sends one ACK per two full segments and times out an odd one after 40 ms', () => {
    const r = new TcpReceiver({ quickAckSegs: 0 });
    expect(r.onData(0, 10, 0).batches).toEqual([{ ackSeq: 10, ackPackets: 5, dupAcks: 0 }]);
    const d = r.onData(10, 1, 1 * MS);
    expect(d.ackPackets).toBe(0);
    expect(r.delackDeadlineNs()).toBe(41 * MS);
    r.onData(11, 1, 2 * MS); // second segment: ACK now, timer off
    expect(r.delackDeadlineNs()).toBeNull();
    r.onData(12, 3, 3 * MS); // 12,13 acked; 14 waits
    expect(r.delackDeadlineNs()).toBe(43 * MS);
    expect(r.onDelackTimer(42 * MS)).toBeNull();
    expect(r.onDelackTimer(43 * MS)!.batches).toEqual([{ ackSeq: 15, ackPackets: 1, dupAcks: 0 }]);
    expect(r.delackDeadlineNs()).toBeNull();
    // An odd leftover plus a new pair: ACKs at 17 (covering 15, 16), timer re-armed for 17.
    r.onData(15, 1, 50 * MS);
    expect(r.onData(16, 2, 51 * MS).batches).toEqual([{ ackSeq: 17, ackPackets: 1, dupAcks: 0 }]);
    expect(r.delackDeadlineNs()).toBe(91 * MS);
    expect(r.stats().acksSent).toBe(5 + 1 + 1 + 1 + 1);
  });

  it('quick-ACKs every segment at the start (Linux quickack mode)', () => {
    const r = new TcpReceiver({ quickAckSegs: 16 });
    expect(r.onData(0, 21, 0).batches).toEqual([
      { ackSeq: 16, ackPackets: 16, dupAcks: 0 },
      { ackSeq: 20, ackPackets: 2, dupAcks: 0 },
    ]);
    expect(r.delackDeadlineNs()).toBe(40 * MS);
  });

  it('quick-ACKs again after a gap longer than its RTO (tcp_event_data_recv → tcp_incr_quickack), not after a shorter one', () => {
    const r = new TcpReceiver({ quickAckSegs: 0, idleQuickAckNs: 210 * MS });
    expect(r.onData(0, 10, 0).ackPackets).toBe(5);
    expect(r.onData(10, 10, 200 * MS).ackPackets).toBe(5); // 200 ms: within the RTO, one ACK per two
    // 211 ms later: every segment is ACKed, up to min(rcv_wnd / 2 segments, 16).
    expect(r.onData(20, 20, 411 * MS).batches).toEqual([
      { ackSeq: 36, ackPackets: 16, dupAcks: 0 },
      { ackSeq: 40, ackPackets: 2, dupAcks: 0 },
    ]);
    // The gap is read in jiffies (tcp_time_stamp - lrcvtime > icsk_rto): 214 ms from 5 ms into a 10 ms jiffy
    // is 21 ticks, not more than a 21-jiffy RTO; 216 ms is 22.
    for (const [gapMs, acks] of [[214, 5], [216, 10]] as const) {
      const j = new TcpReceiver({ quickAckSegs: 0, idleQuickAckNs: 210 * MS, idleQuickAckJiffyNs: 10 * MS });
      j.onData(0, 10, 5 * MS);
      expect(j.onData(10, 10, (5 + gapMs) * MS).ackPackets, `${gapMs} ms`).toBe(acks);
    }
    // Without the RTO given, no such mode.
    const plain = new TcpReceiver({ quickAckSegs: 0 });
    plain.onData(0, 10, 0);
    expect(plain.onData(10, 20, 1000 * MS).ackPackets).toBe(10);
  });
});

describe('TcpReceiver out-of-order data', () => {
  it('duplicate-ACKs each out-of-order segment and ACKs at once when the hole fills', () => {
    const r = new TcpReceiver({ quickAckSegs: 0 });
    r.onData(0, 9, 0); // ACKs up to 8, segment 8 pending
    const w0 = r.advertisedWindowSegs();
    // Hole at 9..11: the first ACK also covers pending 8, so it advances; the others repeat 9.
    const ooo = r.onData(12, 3, MS);
    expect(ooo.batches).toEqual([{ ackSeq: 9, ackPackets: 3, dupAcks: 2 }]);
    expect(ooo.rwndSegs).toBe(w0 - 1); // the right edge stays put (queued data may not pull it back); the ack moved by one
    expect(r.delackDeadlineNs()).toBeNull();
    // 9, 10 arrive in order while data is queued out of order: one ACK each, immediately.
    expect(r.onData(9, 2, 2 * MS).batches).toEqual([{ ackSeq: 11, ackPackets: 2, dupAcks: 0 }]);
    // 11 fills the hole: one ACK for everything through 14.
    expect(r.onData(11, 1, 3 * MS).batches).toEqual([{ ackSeq: 15, ackPackets: 1, dupAcks: 0 }]);
    // Old and already-held data is answered with duplicate ACKs.
    expect(r.onData(5, 4, 4 * MS).batches).toEqual([{ ackSeq: 15, ackPackets: 4, dupAcks: 4 }]);
    expect(r.stats()).toMatchObject({ rcvNxt: 15, oooSegs: 3, dupSegs: 4, oooHeldSegs: 0, deliveredSegs: 15 });
  });

  it('splits a batch that straddles rcv_nxt and several holes into ACK runs', () => {
    const r = new TcpReceiver({ quickAckSegs: 0 });
    r.onData(4, 2, 0); // held 4..5
    r.onData(8, 1, 0); // held 8
    const d = r.onData(0, 10, MS); // 0..3 fill to 6, 6..7 fill to 9, then 9 in order
    expect(d.batches).toEqual([
      { ackSeq: 3, ackPackets: 3, dupAcks: 0 }, // 1, 2, 3: immediate while data is queued
      { ackSeq: 6, ackPackets: 3, dupAcks: 2 }, // 3 fills the hole -> 6; 4, 5 already held
      { ackSeq: 7, ackPackets: 1, dupAcks: 0 },
      { ackSeq: 9, ackPackets: 2, dupAcks: 1 }, // 7 fills -> 9; 8 already held
    ]);
    const values: number[] = [];
    let prev = 0;
    for (const b of d.batches) {
      const adv = b.ackPackets - b.dupAcks;
      for (let i = 1; i <= adv; i++) values.push(prev + Math.floor((i * (b.ackSeq - prev)) / adv));
      for (let i = 0; i < b.dupAcks; i++) values.push(b.ackSeq);
      prev = b.ackSeq;
    }
    // Per-segment ACK values Linux would send: 1,2,3, 6 (fills 3), 6,6 (4,5 already held),
    // 7, 9 (fills 7 -> 9), 9 (8 already held); 9 itself is in order with nothing queued: delayed.
    expect(values).toEqual([1, 2, 3, 6, 6, 6, 7, 9, 9]);
    expect(r.stats()).toMatchObject({ rcvNxt: 10, dupSegs: 3 });
    expect(r.delackDeadlineNs()).toBe(41 * MS);
  });
});

describe('TcpReceiver window', () => {
  it('counts unread and out-of-order data against the buffer and drops beyond the window', () => {
    const r = new TcpReceiver({ rcvBufBytes: 10 * MSS, advWinScale: 0, quickAckSegs: 0 });
    expect(r.advertisedWindowSegs()).toBe(10);
    r.onData(2, 5, 0); // out of order: window edge may not retract, stays 10
    expect(r.advertisedWindowSegs()).toBe(10);
    const d = r.onData(7, 6, 0); // 7..9 fit, 10..12 beyond the edge
    expect(r.stats().dropsBeyondWindow).toBe(3);
    expect(d.batches).toEqual([{ ackSeq: 0, ackPackets: 6, dupAcks: 6 }]);
    const fill = r.onData(0, 2, 0);
    expect(fill.ackSeq).toBe(10);
    expect(fill.rwndSegs).toBe(0); // ten unread segments fill the buffer
    // Reading half reopens the window from 0 to 5: worth a window-update ACK.
    const read = r.read(5 * MSS, MS);
    expect(read.bytes).toBe(5 * MSS);
    expect(read.ack).toMatchObject({ ackSeq: 10, ackPackets: 1, rwndSegs: 5 });
    // A small read that does not double the window sends nothing.
    expect(r.read(MSS, MS).ack).toBeNull();
    expect(r.stats()).toMatchObject({ bytesRead: 6 * MSS, unreadBytes: 4 * MSS, rwndSegs: 5 });
  });

  it('defaults to 174760-byte buffers with a quarter kept for overhead: 90 segments', () => {
    const r = new TcpReceiver();
    expect(r.capacityBytes).toBe(131070);
    expect(r.advertisedWindowSegs()).toBe(90);
  });
});

describe('order hash', () => {
  it('matches the prefix hash only for exact in-order delivery', () => {
    const r = new TcpReceiver();
    r.onData(3, 4, 0);
    r.onData(0, 3, 0);
    r.onData(7, 5, 0);
    expect(r.stats().orderHash).toBe(orderHashOfPrefix(12));
    const swapped = orderHashStep(orderHashStep(ORDER_HASH_SEED, 1), 0);
    expect(swapped).not.toBe(orderHashOfPrefix(2));
    expect(orderHashOfPrefix(3)).not.toBe(orderHashOfPrefix(2));
  });
});

describe('TcpReceiver window: out-of-order data takes buffer space', () => {
  it('a window reopened by a read grows only by the space the out-of-order segments leave', () => {
    const r = new TcpReceiver({ rcvBufBytes: 10 * MSS, advWinScale: 0, quickAckSegs: 0 });
    r.onData(0, 2, 0); // in order: one ACK of 2, edge at 10
    expect(r.read(2 * MSS, MS).ack).toBeNull(); // 8 of 10 still offered: no window update
    // Three segments above a hole: 10 segments of buffer, none unread, 3 held out of order. The first dup ACK
    // offers 10 − 1 past rcv_nxt 2 (edge 11); the next ones less, and the edge does not retract.
    const d = r.onData(5, 3, 2 * MS);
    expect(d.batches).toEqual([{ ackSeq: 2, ackPackets: 3, dupAcks: 3 }]);
    expect(d.rwndSegs).toBe(9);
    expect(r.stats()).toMatchObject({ oooHeldSegs: 3, rwndSegs: 9 });
  });
});
