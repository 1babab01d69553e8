// A send opportunity puts at most `maxSegs` segments on the wire (the
// stressor's maxBurstSegs, 64): the runs the SACK sender sends while it
// processes an ACK batch (one send opportunity per ACK) are merged for speed,
// but must still come out of nextBurst in runs of at most maxSegs. Handed out
// whole, a merged run went on the wire as one message of up to a window (894
// frames natively), which the link delivers all at once into the SUT's NIC
// ring: native Linux at 10 GbE lost ~1000 frames at a 512-slot ring whose CPU
// was 21% busy.
import { describe, expect, it } from 'vitest';
import { TcpSackSender } from '../../../src/net/tcp/sackSender.ts';
import { runInProcess } from '../../helpers/inProcess.ts';

describe('burst cap of the SACK sender', () => {
  it('runs sent during an ACK batch come out at most maxSegs at a time, contiguous and complete', () => {
    const tx = new TcpSackSender({ congestion: 'newreno', initialCwndSegs: 200, initialRwndSegs: 10_000, handshakeRttNs: 1_000_000 });
    let sent = 0;
    for (let b = tx.nextBurst(0, 64); b; b = tx.nextBurst(0, 64)) sent += b.count;
    expect(sent).toBe(200);
    // 200 ACKs in one batch, each acking one segment: slow start opens two segments per ACK.
    tx.onAck(200, 200, 10_000, 2_000_000, 0);
    const runs: { firstSeq: number; count: number }[] = [];
    for (let b = tx.nextBurst(2_000_000, 64); b; b = tx.nextBurst(2_000_000, 64)) runs.push(b);
    const total = runs.reduce((a, r) => a + r.count, 0);
    expect(total).toBeGreaterThan(64);
    expect(Math.max(...runs.map((r) => r.count))).toBeLessThanOrEqual(64);
    let next = 200;
    for (const r of runs) {
      expect(r.firstSeq).toBe(next);
      next += r.count;
    }
    expect(next).toBe(tx.stats().sndNxt);
  });

  it('runs still held when the retransmission timer fires still go out, ahead of the retransmissions (a qdisc is not flushed by tcp_enter_loss)', () => {
    const tx = new TcpSackSender({ congestion: 'newreno', initialCwndSegs: 200, initialRwndSegs: 10_000, handshakeRttNs: 1_000_000 });
    let handed = 0;
    for (let b = tx.nextBurst(0, 64); b; b = tx.nextBurst(0, 64)) handed += b.count;
    tx.onAck(200, 200, 10_000, 2_000_000, 0);
    // A host with room for one burst only (a fleet guest's netfront ring): the rest of the batch's runs stay held,
    // as packets in the guest's qdisc. TCP counted them as sent (snd_nxt, segsSent).
    const first = tx.nextBurst(2_000_000, 64)!;
    expect(first.count).toBe(64);
    handed += first.count;
    const nxt = tx.stats().sndNxt;
    expect(nxt).toBeGreaterThan(200 + 64);
    const at = tx.rtoDeadlineNs()!;
    expect(tx.onRtoTimer(at)).toBe(true);
    const after: { firstSeq: number; count: number; retransmit: boolean }[] = [];
    for (let b = tx.nextBurst(at, 64); b; b = tx.nextBurst(at, 64)) after.push(b);
    // The queued originals first (FIFO), not retransmissions: [200 + 64, nxt) exactly once.
    const originals = after.filter((b) => !b.retransmit);
    expect(originals.reduce((n, b) => n + b.count, 0)).toBe(nxt - 264);
    expect(originals[0]!.firstSeq).toBe(264);
    expect(after.findIndex((b) => b.retransmit)).toBeGreaterThanOrEqual(originals.length);
    // Every segment TCP counted as sent is handed to the host.
    handed += after.reduce((n, b) => n + b.count, 0);
    expect(handed).toBe(tx.stats().segsSent);
  });

  it('native Linux at 10 GbE: CPU0 far from busy, the 512-slot NIC ring drops nothing', () => {
    const r = runInProcess('scenarios/paper/fig3-linux.yaml', ['duration=1s', 'warmup=0s']);
    const s = r.summary as { drops: { nicRing: number }; domains: { vcpuCpuPct: number[] }[] };
    expect(s.domains[0]!.vcpuCpuPct[0]!).toBeLessThan(40);
    expect(s.drops.nicRing).toBe(0);
  });
});
