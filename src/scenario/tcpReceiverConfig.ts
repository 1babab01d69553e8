// The receiving socket of a scenario's TCP connections (paper path and fleet guests alike).
import type { TcpReceiverOptions } from '../net/tcp/receiver.ts';
import { handshakeRtoNs } from '../net/tcp/rtoEstimator.ts';
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
 * The receiving socket's options. Its icsk_rto (the idle test of tcp_event_data_recv) comes from its one RTT
 * sample, the handshake's: `synRttNs`, at least the jiffy a LAN round trip counts as; tcp_set_rto then gives
 * srtt + max(4·mdev, TCP_RTO_MIN), 210 ms at HZ 100 on a LAN.
 */
export function tcpReceiverOptions(n: NetSection, synRttNs = 0): TcpReceiverOptions {
  const jiffyNs = Math.round(1e9 / n.tcp.hz);
  return {
    mssBytes: n.mssBytes,
    // Autotuning off: the socket keeps tcp_rmem[1] (tcp_v4_init_sock), as 2.6.18 without tcp_moderate_rcvbuf.
    rcvBufBytes: n.tcp.moderateRcvbuf ? n.tcp.rmemMax : n.tcp.rmemDefault,
    sack: n.tcp.sack,
    autotune: n.tcp.moderateRcvbuf
      ? { rmemDefaultBytes: n.tcp.rmemDefault, rmemMaxBytes: n.tcp.rmemMax, jiffyNs, rcvmemBytes: rcvmemBytes(n.mssBytes), initialWindowSegs: 4 }
      : undefined,
    idleQuickAckNs: handshakeRtoNs({ linux: true, granularityNs: jiffyNs, rtoMinNs: n.tcp.rtoMin }, Math.max(jiffyNs, synRttNs)),
    idleQuickAckJiffyNs: jiffyNs,
  };
}
