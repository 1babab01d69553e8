// A traffic phase that shrinks iperf's -l: the stressor's writers slow down at
// once, and TCP sends what they write. write() blocks once the socket's send
// buffer (at most tcp_wmem[2], 4 MiB) holds what is not yet ACKed, so a writer
// never banks more than that ahead of snd_una: a fast phase cannot leave
// gigabytes "written" for the slow phase after it to send.
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/inProcess.ts';

const run = (sut: string, warmup: string, duration: string) =>
  runInProcess(`scenarios/paper/fig3-${sut}.yaml`, [
    // 64 KB writes for 300 ms, then 1-byte writes: 8 writers × 1 B per 2,000.5 cycles at 2.33 GHz = 0.075 Gb/s.
    'net.phases=[{duration: 300ms, messageSize: 65536}, {duration: 10s, messageSize: 1}]',
    `duration=${duration}`,
    `warmup=${warmup}`,
  ]).summary as unknown as { throughputGbps: number };

describe('writers bounded by the send buffer', () => {
  it('a slow phase after a fast one runs at the slow writers\' rate once their send buffers drain', () => {
    // Without the bound the writers had banked ~1.4 GB each in the first 300 ms and the run kept the 64 KB
    // rate (native 5.5 Gb/s, DomU 2.2 Gb/s). Native: measured 700–1300 ms, each buffer (≤ 4 MiB) long drained.
    expect(run('linux', '700ms', '1300ms').throughputGbps).toBeLessThan(0.08);
    // DomU: the buffered 32 MB go through the netback drops and RTOs of the 64 KB rate; drained by ~1.3 s.
    expect(run('domu', '1400ms', '2s').throughputGbps).toBeLessThan(0.08);
  });
});
