import { describe, expect, it } from 'vitest';
import { createCongestion } from '../../../src/net/tcp/ccRegistry.ts';
import { slowStartAck, type CongestionControl, type CwndState } from '../../../src/net/tcp/congestion.ts';
import { cubic } from '../../../src/net/tcp/cubic.ts';

const MS = 1_000_000;
const RTT_NS = 100 * MS;

/** Feed one window of per-segment ACKs per RTT for `seconds`, from the epoch start at 0; returns cwnd per RTT. */
function avoidance(cc: CongestionControl, s: CwndState, seconds: number): number[] {
  const trace: number[] = [];
  for (let t = 0; t < seconds * 1e9; t += RTT_NS) {
    const acks = Math.floor(s.cwndSegs);
    for (let i = 0; i < acks; i++) cc.onCaAck(s, 1, t + Math.floor((i * RTT_NS) / acks), RTT_NS);
    trace.push(s.cwndSegs);
  }
  return trace;
}

function afterLoss(cc: CongestionControl, wMaxSegs: number): CwndState {
  const s: CwndState = { cwndSegs: wMaxSegs, ssthreshSegs: Infinity };
  s.ssthreshSegs = cc.ssthreshOnLoss(s, wMaxSegs, 0);
  s.cwndSegs = s.ssthreshSegs;
  return s;
}

describe('slow start helper', () => {
  it('adds one per ACK, or min(acked, L) with byte counting, and stops at ssthresh', () => {
    const s = { cwndSegs: 4, ssthreshSegs: 7 };
    slowStartAck(s, 2, 0);
    expect(s.cwndSegs).toBe(5);
    slowStartAck(s, 5, 2);
    expect(s.cwndSegs).toBe(7);
    slowStartAck(s, 2, 2);
    expect(s.cwndSegs).toBe(7);
  });
});

describe('CUBIC (RFC 8312, C = 0.4, beta = 0.7)', () => {
  it('cuts to 0.7 W_max and climbs back to W_max at t = K, concave then flat then convex', () => {
    const cc = cubic();
    const s = afterLoss(cc, 100);
    expect(s.ssthreshSegs).toBe(70);
    const kSec = Math.cbrt((100 * 0.3) / 0.4); // 4.217 s
    const trace = avoidance(cc, s, 7);
    const at = (sec: number): number => trace[Math.round((sec * 1e9) / RTT_NS) - 1]!;
    // Concave approach: most of the gap is closed by half-way to K ...
    expect(at(kSec / 2)).toBeGreaterThan(94);
    expect(at(kSec / 2)).toBeLessThan(97);
    // ... plateau around W_max near K (the target runs one RTT ahead) ...
    expect(at(kSec)).toBeGreaterThan(99.5);
    expect(at(kSec)).toBeLessThan(100.8);
    expect(at(kSec + 0.5) - at(kSec - 0.5)).toBeLessThan(1.5);
    // ... then convex probing beyond W_max.
    expect(at(7)).toBeGreaterThan(108);
    for (let i = 1; i < trace.length; i++) expect(trace[i]!).toBeGreaterThanOrEqual(trace[i - 1]!);
  });

  it('regains W_max sooner than NewReno after the same loss', () => {
    const reno = createCongestion('newreno');
    const sReno = afterLoss(reno, 100);
    expect(sReno.cwndSegs).toBe(50);
    const renoTrace = avoidance(reno, sReno, 5);
    const cubicTrace = avoidance(cubic(), afterLoss(cubic(), 100), 5);
    expect(renoTrace[renoTrace.length - 1]!).toBeCloseTo(50 + 50 * 0.9, -1); // about +1 per RTT
    expect(cubicTrace[cubicTrace.length - 1]!).toBeGreaterThan(100);
  });

  it('fast convergence lowers W_max when a loss comes before the previous W_max', () => {
    const cc = cubic({ tcpFriendly: false }); // isolate the cubic curve from the Reno-friendly floor
    afterLoss(cc, 100);
    const s = { cwndSegs: 80, ssthreshSegs: 70 };
    expect(cc.ssthreshOnLoss(s, 80, 10 * MS)).toBe(56);
    s.cwndSegs = 56;
    s.ssthreshSegs = 56;
    const trace = avoidance(cc, s, 4);
    // W_max = 80 * (1 + 0.7) / 2 = 68: the plateau sits near 68, not 80.
    const kSec = Math.cbrt((68 - 56) / 0.4);
    expect(trace[Math.round((kSec * 1e9) / RTT_NS) - 1]!).toBeCloseTo(68, 0);
  });

  it('follows the Reno-friendly window when the RTT is short (RFC 8312 §4.2)', () => {
    const cc = cubic();
    const s = afterLoss(cc, 100);
    // 1 ms RTT: ~1000 RTTs/s; alpha = 3 * 0.3 / 1.7 = 0.529 segments per RTT.
    for (let t = 0; t < 100 * MS; t += MS) for (let i = 0; i < Math.floor(s.cwndSegs); i++) cc.onCaAck(s, 1, t, MS);
    expect(s.cwndSegs).toBeGreaterThan(70 + 100 * 0.5);
  });
});

describe('createCongestion', () => {
  it('builds fresh policies by name and rejects unknown ones', () => {
    expect(createCongestion('cubic').name).toBe('cubic');
    expect(createCongestion('newreno').name).toBe('newreno');
    expect(() => createCongestion('vegas' as never)).toThrow(/unknown congestion control/);
  });
});
