// Slow start after idle, as Linux 2.6.18 does it (net/ipv4/tcp_output.c):
// tcp_event_data_sent calls tcp_cwnd_restart when sysctl_tcp_slow_start_after_idle
// is set (1 by default; the sysctl is new in 2.6.18, the restart itself older),
// nothing is out (packets_out 0) and the last data left more than an RTO ago
// (lsndtime). cwnd halves once per RTO of idleness, but not below
// min(tcp_init_cwnd, cwnd) (RFC 2861's decay); ssthresh first takes
// tcp_current_ssthresh, so the connection slow-starts back to 3/4 of where it was.
// Without it a sender idle for seconds (an off phase, an incast round waiting
// for a timed-out peer) sends its whole old window at once when data comes again.
import type { CwndState } from './congestion.ts';

/**
 * Time between two instants as the kernel reads it: tcp_time_stamp is jiffies, so `now - lsndtime` (and
 * `now - lrcvtime`) counts the jiffy ticks between them, not the ns. An RTO of 21 jiffies is exceeded only
 * once 22 ticks have passed: idle for 215 ms may read 21 or 22 jiffies, depending on where in its jiffy it began.
 */
export function jiffiesBetweenNs(fromNs: number, toNs: number, jiffyNs: number): number {
  return (Math.floor(toNs / jiffyNs) - Math.floor(fromNs / jiffyNs)) * jiffyNs;
}

/**
 * Whether tcp_event_data_sent restarts cwnd before sending with nothing out (`lastDataSentNs` null: nothing
 * sent yet): `(s32)(tcp_time_stamp - lsndtime) > icsk_rto`, in jiffies of `jiffyNs`.
 */
export function idleRestartDue(nowNs: number, lastDataSentNs: number | null, rtoNs: number, jiffyNs = 1): boolean {
  return lastDataSentNs !== null && jiffiesBetweenNs(lastDataSentNs, nowNs, jiffyNs) > rtoNs;
}

/**
 * tcp_cwnd_restart after `idleNs` without data sent (whole jiffies: jiffiesBetweenNs). `holdSsthresh`: the
 * connection is in CWR or Recovery, where tcp_current_ssthresh keeps ssthresh.
 */
export function restartCwndAfterIdle(w: CwndState, idleNs: number, rtoNs: number, initCwndSegs: number, holdSsthresh: boolean): void {
  const cwnd = Math.floor(w.cwndSegs + 1e-9); // snd_cwnd is an integer
  if (!holdSsthresh) w.ssthreshSegs = Math.max(w.ssthreshSegs, Math.floor(cwnd / 2) + Math.floor(cwnd / 4));
  const restartSegs = Math.min(initCwndSegs, cwnd);
  let c = cwnd;
  for (let delta = idleNs - rtoNs; delta > 0 && c > restartSegs; delta -= rtoNs) c = Math.floor(c / 2);
  w.cwndSegs = Math.max(c, restartSegs);
}
