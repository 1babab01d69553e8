import { describe, expect, it } from 'vitest';
import { TcpSender, type Burst, type TcpSenderOptions } from '../../../src/net/tcp/sender.ts';

const MS = 1_000_000;
const BIG_RWND = 10_000;

/** Everything the sender will put on the wire now. */
function drain(s: TcpSender, nowNs: number, maxSegs = 1000): Burst[] {
  const out: Burst[] = [];
  for (let b = s.nextBurst(nowNs, maxSegs); b; b = s.nextBurst(nowNs, maxSegs)) out.push(b);
  return out;
}

function sentCount(bursts: Burst[]): number {
  return bursts.reduce((n, b) => n + b.count, 0);
}

/** A sender in congestion avoidance with `cwnd` segments [0, cwnd) in flight. */
function inFlight(cwnd: number, opts: TcpSenderOptions = {}): TcpSender {
  const s = new TcpSender({ initialCwndSegs: cwnd, initialSsthreshSegs: cwnd, initialRwndSegs: BIG_RWND, ...opts });
  expect(drain(s, 0)).toEqual([{ firstSeq: 0, count: cwnd, retransmit: false }]);
  return s;
}

describe('TcpSender slow start', () => {
  it.each([
    // name, ACKs per segment, ABC limit, segments sent in rounds 1..5
    ['one ACK per segment', 1, 0, [3, 6, 12, 24, 48]],
    ['delayed ACKs, per-ACK counting (Linux 2.6.18)', 0.5, 0, [4, 6, 9, 13, 19]],
    ['delayed ACKs, byte counting L=2 (RFC 3465)', 0.5, 2, [4, 8, 16, 32, 64]],
  ] as const)('%s', (_name, acksPerSeg, abcLimitSegs, expected) => {
    const s = new TcpSender({ initialCwndSegs: expected[0], initialRwndSegs: BIG_RWND, abcLimitSegs });
    const perRound: number[] = [];
    for (let round = 0; round < 5; round++) {
      const nowNs = round * MS;
      const n = sentCount(drain(s, nowNs));
      perRound.push(n);
      // Acks for the whole round arrive one RTT later; delayed ACKs cover two segments each.
      s.onAck(s.stats().sndNxt, Math.max(1, Math.floor(n * acksPerSeg)), BIG_RWND, nowNs + MS);
    }
    expect(perRound).toEqual(expected);
  });

  it('does not grow cwnd when the receive window, not cwnd, limits sending', () => {
    const s = new TcpSender({ initialCwndSegs: 10, initialRwndSegs: 4 });
    for (let r = 0; r < 5; r++) {
      drain(s, r * MS);
      s.onAck(s.stats().sndNxt, 4, 4, r * MS + 500_000);
    }
    expect(s.stats().cwndSegs).toBe(10);
    expect(s.stats().sndUna).toBe(20);
  });
});

describe('TcpSender congestion avoidance (NewReno)', () => {
  it('adds about one segment per RTT of per-segment ACKs', () => {
    const s = inFlight(10);
    s.onAck(10, 10, BIG_RWND, MS);
    // RFC 5681 eq. (3), ten times: cwnd += 1/cwnd.
    let expected = 10;
    for (let i = 0; i < 10; i++) expected += 1 / expected;
    expect(s.stats().cwndSegs).toBe(expected);
    expect(expected).toBeCloseTo(10.9586, 4);
  });
});

describe('TcpSender fast retransmit and NewReno recovery', () => {
  it('limited transmit on two duplicates, fast retransmit and halving on the third', () => {
    const s = inFlight(20);
    s.onAck(0, 1, BIG_RWND, MS);
    expect(drain(s, MS)).toEqual([{ firstSeq: 20, count: 1, retransmit: false }]); // RFC 3042
    s.onAck(0, 1, BIG_RWND, MS);
    expect(drain(s, MS)).toEqual([{ firstSeq: 21, count: 1, retransmit: false }]);
    expect(s.stats()).toMatchObject({ fastRetransmits: 0, cwndSegs: 20, dupAcks: 2 });
    s.onAck(0, 1, BIG_RWND, MS);
    // ssthresh = FlightSize / 2 with the limited-transmit segments left out (RFC 5681 §3.2).
    expect(s.stats()).toMatchObject({ ssthreshSegs: 10, cwndSegs: 13, inRecovery: true });
    expect(drain(s, MS)).toEqual([{ firstSeq: 0, count: 1, retransmit: true }]);
    // fastRetransmits counts segments resent in Recovery (Linux's TCPFastRetrans), as the SACK sender does.
    expect(s.stats().fastRetransmits).toBe(1);
    // 18 more duplicates (segments 4..21 reached the receiver) inflate cwnd to 31: flight 22 -> 9 new.
    s.onAck(0, 18, BIG_RWND, MS + 10_000);
    expect(s.stats().cwndSegs).toBe(31);
    expect(drain(s, MS + 10_000)).toEqual([{ firstSeq: 22, count: 9, retransmit: false }]);
    // The retransmission fills the only hole: a full ACK for everything sent before recovery.
    s.onAck(22, 1, BIG_RWND, 2 * MS);
    // RFC 6582 step 3 (1): cwnd = min(ssthresh, max(FlightSize, 1) + 1) = min(10, 9 + 1).
    expect(s.stats()).toMatchObject({ inRecovery: false, cwndSegs: 10, ssthreshSegs: 10, dupAcks: 0, segsRetransmitted: 1 });
  });

  it('two duplicates alone do not retransmit', () => {
    const s = inFlight(20, { limitedTransmit: false });
    s.onAck(0, 2, BIG_RWND, MS, 2);
    expect(drain(s, MS)).toEqual([]);
    expect(s.stats()).toMatchObject({ fastRetransmits: 0, dupAcks: 2 });
  });

  it('a partial ACK retransmits the next hole and stays in recovery until `recover`', () => {
    const s = inFlight(20, { limitedTransmit: false });
    // Segments 0 and 10 lost: 18 duplicates of 0 arrive.
    s.onAck(0, 18, BIG_RWND, MS, 18);
    expect(s.stats()).toMatchObject({ inRecovery: true, ssthreshSegs: 10, cwndSegs: 10 + 3 + 15 });
    expect(drain(s, MS)).toEqual([
      { firstSeq: 0, count: 1, retransmit: true },
      { firstSeq: 20, count: 8, retransmit: false },
    ]);
    const rtoBefore = s.rtoDeadlineNs();
    // The retransmitted 0 arrives: cumulative ACK jumps to the second hole (partial, < recover = 20).
    s.onAck(10, 1, BIG_RWND, 2 * MS);
    expect(s.stats()).toMatchObject({ inRecovery: true, sndUna: 10, cwndSegs: 28 - 10 + 1 });
    expect(s.rtoDeadlineNs()).toBeGreaterThan(rtoBefore!); // partial ACK restarts the timer
    // The deflated window (19 over a flight of 18) also lets one new segment out (RFC 6582 step 4).
    expect(drain(s, 2 * MS)).toEqual([
      { firstSeq: 10, count: 1, retransmit: true },
      { firstSeq: 28, count: 1, retransmit: false },
    ]);
    // Duplicates for 20..27 keep inflating; then the full ACK covers recover (20) and more.
    s.onAck(10, 8, BIG_RWND, 2 * MS, 8);
    expect(s.stats().cwndSegs).toBe(27);
    expect(drain(s, 2 * MS)).toEqual([{ firstSeq: 29, count: 8, retransmit: false }]);
    s.onAck(29, 1, BIG_RWND, 3 * MS);
    expect(s.stats()).toMatchObject({ inRecovery: false, cwndSegs: 9, fastRetransmits: 2, segsRetransmitted: 2, timeouts: 0 });
  });
});

describe('TcpSender retransmission timeout', () => {
  it('backs off exponentially from the initial 1 s, capped at 60 s, and goes back to snd_una', () => {
    const s = new TcpSender({ initialRwndSegs: BIG_RWND });
    expect(drain(s, 0)).toEqual([{ firstSeq: 0, count: 3, retransmit: false }]);
    expect(s.rtoDeadlineNs()).toBe(1000 * MS);
    expect(s.onRtoTimer(999 * MS)).toBe(false); // early (stale) call is ignored
    const gapsMs: number[] = [];
    let nowNs = 1000 * MS;
    for (let i = 0; i < 8; i++) {
      expect(s.onRtoTimer(nowNs)).toBe(true);
      expect(drain(s, nowNs)).toEqual([{ firstSeq: 0, count: 1, retransmit: true }]); // cwnd = 1
      const next = s.rtoDeadlineNs()!;
      gapsMs.push((next - nowNs) / MS);
      nowNs = next;
    }
    expect(gapsMs).toEqual([2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(s.stats()).toMatchObject({ timeouts: 8, cwndSegs: 1, segsRetransmitted: 8, srttNs: null });
  });

  it('uses the sampled RTO (200 ms floor), halves ssthresh once, and takes no sample from a retransmission (Karn)', () => {
    const s = inFlight(10, { initialSsthreshSegs: Infinity });
    s.onAck(10, 10, BIG_RWND, 1 * MS); // RTT sample 1 ms -> RTO 200 ms
    expect(s.stats().srttNs).toBe(1 * MS);
    drain(s, 1 * MS);
    const flight = s.stats().sndNxt - s.stats().sndUna;
    expect(s.rtoDeadlineNs()).toBe(201 * MS);
    expect(s.onRtoTimer(201 * MS)).toBe(true);
    expect(s.stats().ssthreshSegs).toBe(flight / 2);
    expect(s.rtoDeadlineNs()).toBe(601 * MS); // doubled: 400 ms
    drain(s, 201 * MS);
    expect(s.onRtoTimer(601 * MS)).toBe(true);
    expect(s.stats().ssthreshSegs).toBe(flight / 2); // held on the repeated timeout
    expect(s.rtoDeadlineNs()).toBe(1401 * MS);
    drain(s, 601 * MS);
    s.onAck(11, 1, BIG_RWND, 602 * MS); // acks the retransmission: no sample
    expect(s.stats().srttNs).toBe(1 * MS);
    expect(s.rtoDeadlineNs()).toBe(602 * MS + 800 * MS); // backoff kept until a valid sample
  });

  it('clears the timer when everything is acknowledged', () => {
    const s = inFlight(4);
    s.onAck(4, 2, BIG_RWND, MS);
    expect(s.rtoDeadlineNs()).toBeNull();
    expect(s.stats().bytesAcked).toBe(4 * 1448);
  });
});
