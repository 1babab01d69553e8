// The receiving socket of a scenario's TCP connections (paper path and fleet guests alike).
import type { TcpReceiverOptions } from '../net/tcp/receiver.ts';
import { RtoEstimator } from '../net/tcp/rtoEstimator.ts';
import type { NetSection } from './netSchema.ts';

/**
 * tcp_rcv_space_adjust's rcvmem: advmss + MAX_TCP_HEADER (224 on x86_64) + 16 +
 * sizeof(struct sk_buff) (~232 in 2.6.18), rounded up by 128 until
 * tcp_win_from_space(rcvmem) >= advmss.
 */
function rcvmemBytes(mss: number): number {
  let m = mss + 224 + 16 + 232;
  while (m - Math.floor(m / 4) < mss) m += 128;
  return m;
}

/**
 * The receiver's icsk_rto: it sends only ACKs, so its one RTT sample is the handshake's (a LAN RTT counts
 * as one jiffy), and tcp_set_rto gives srtt + max(4·mdev, TCP_RTO_MIN): 210 ms at HZ 100.
 */
function receiverRtoNs(n: NetSection, jiffyNs: number): number {
  const rto = new RtoEstimator({ linux: true, granularityNs: jiffyNs, rtoMinNs: n.tcp.rtoMin });
  rto.sample(jiffyNs);
  return rto.currentRtoNs();
}

export function tcpReceiverOptions(n: NetSection): TcpReceiverOptions {
  const jiffyNs = Math.round(1e9 / n.tcp.hz);
  return {
    mssBytes: n.mssBytes,
    // Autotuning off: the socket keeps tcp_rmem[1] (tcp_v4_init_sock), as 2.6.18 without tcp_moderate_rcvbuf.
    rcvBufBytes: n.tcp.moderateRcvbuf ? n.tcp.rmemMax : n.tcp.rmemDefault,
    sack: n.tcp.sack,
    autotune: n.tcp.moderateRcvbuf
      ? { rmemDefaultBytes: n.tcp.rmemDefault, rmemMaxBytes: n.tcp.rmemMax, jiffyNs, rcvmemBytes: rcvmemBytes(n.mssBytes), initialWindowSegs: 4 }
      : undefined,
    idleQuickAckNs: receiverRtoNs(n, jiffyNs),
    idleQuickAckJiffyNs: jiffyNs,
  };
}
