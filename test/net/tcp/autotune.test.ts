// Linux 2.6.18 receive-side window: the initial window (4 × MSS), growth of
// rcv_ssthresh per in-order segment, receive-buffer autotuning
// (tcp_rcv_space_adjust) toward tcp_rmem[2], and SACK blocks.
import { describe, expect, it } from 'vitest';
import { TcpReceiver } from '../../../src/net/tcp/receiver.ts';

const auto = { rmemDefaultBytes: 87380, rmemMaxBytes: 4194304, jiffyNs: 10_000_000, rcvmemBytes: 2048, initialWindowSegs: 4 };

describe('receive window and autotuning', () => {
  it('offers 4 segments at first and grows rcv_ssthresh by two segments per in-order segment up to tcp_full_space', () => {
    const rx = new TcpReceiver({ autotune: auto, quickAckSegs: 0 });
    expect(rx.advertisedWindowSegs()).toBe(4);
    const d = rx.onData(0, 2, 0);
    expect(d.rwndSegs).toBeGreaterThan(4);
    rx.read(1 << 30, 0);
    for (let s = 2; s < 200; s += 2) {
      rx.onData(s, 2, 0);
      rx.read(1 << 30, 0);
    }
    // tcp_win_from_space(87380) = 65535 bytes: 45 segments, until autotuning grows the buffer.
    expect(rx.advertisedWindowSegs()).toBeLessThanOrEqual(45);
    expect(rx.rcvBufBytes).toBe(87380);
  });

  it('grows the buffer to 2 × what the application read in one receiver RTT (≥ 1 jiffy), scaled to skb memory, capped at tcp_rmem[2]', () => {
    const rx = new TcpReceiver({ autotune: auto, quickAckSegs: 0 });
    let seq = 0;
    // 400 segments read in each 10 ms jiffy (~ 460 Mb/s).
    for (let t = 0; t <= 30_000_000; t += 100_000) {
      rx.onData(seq, 4, t);
      seq += 4;
      rx.read(1 << 30, t);
    }
    // space = 2 × 400 × 1448 bytes; rcvbuf = space / advmss × rcvmem = 800 × 2048.
    expect(rx.rcvBufBytes).toBe(800 * 2048);
    for (let t = 30_100_000; t <= 200_000_000; t += 20_000) {
      rx.onData(seq, 4, t);
      seq += 4;
      rx.read(1 << 30, t);
    }
    expect(rx.rcvBufBytes).toBe(4194304);
  });

  it('on a path of several jiffies, measures over its RTT (tcp_rcv_rtt_measure), so a window-limited flow’s buffer grows', () => {
    // 60 ms round trips; the sender is window-limited and its ACK clock spreads each window over the RTT.
    // Over one jiffy only a sixth of a window is read: measured per jiffy the buffer never grew (2 × a sixth
    // of the initial 45-segment window is below tcp_rmem[1]), and the flow stayed at 64 KB per 60 ms.
    const rttNs = 60_000_000;
    const rx = new TcpReceiver({ autotune: auto, quickAckSegs: 0 });
    let seq = 0;
    let t = 0;
    for (let rtt = 0; rtt < 12; rtt++) {
      const window = rx.advertisedWindowSegs();
      for (let i = 0; i < window; i++) {
        rx.onData(seq, 1, t + Math.floor((i * rttNs) / window));
        seq += 1;
        rx.read(1 << 30, t + Math.floor((i * rttNs) / window));
      }
      t += rttNs;
    }
    expect(rx.rcvBufBytes).toBeGreaterThan(4 * 87380);
    expect(rx.advertisedWindowSegs()).toBeGreaterThan(4 * 45);
  });

  it('SACK blocks: the most recently changed out-of-order range first, at most 3', () => {
    const rx = new TcpReceiver({ sack: true, rcvBufBytes: 1 << 22 });
    rx.onData(0, 10, 0);
    rx.onData(20, 5, 0);
    rx.onData(40, 5, 0);
    rx.onData(60, 5, 0);
    const d = rx.onData(30, 2, 0);
    expect(d.sack!.slice(0, 2)).toEqual([30, 32]);
    expect(d.sack!.length).toBe(6);
    expect(new TcpReceiver({ rcvBufBytes: 1 << 22 }).onData(5, 1, 0).sack ?? []).toEqual([]);
  });
});

describe('the receiver’s RTT estimate (tcp_rcv_rtt_measure, window samples only)', () => {
  it('keeps the smallest sample: an RTT that grows later (queueing) is not followed', () => {
    const rx = new TcpReceiver({ autotune: auto, quickAckSegs: 0 });
    const est = () => (rx as unknown as { autotune: { rcvRttJiffies: number } }).autotune.rcvRttJiffies;
    let seq = 0;
    let t = 0;
    const rtts = (n: number, rttNs: number) => {
      for (let k = 0; k < n; k++) {
        const window = rx.advertisedWindowSegs();
        for (let i = 0; i < window; i++) {
          const at = t + Math.floor((i * rttNs) / window);
          rx.onData(seq++, 1, at);
          rx.read(1 << 30, at);
        }
        t += rttNs;
      }
    };
    rtts(6, 60_000_000);
    const lan = est();
    expect(lan).toBeGreaterThanOrEqual(5);
    expect(lan).toBeLessThanOrEqual(7);
    rtts(6, 200_000_000);
    expect(est()).toBe(lan);
  });
});
