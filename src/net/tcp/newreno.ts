// Reno/NewReno congestion avoidance (RFC 5681 §3.1, Linux tcp_reno_cong_avoid
// and tcp_reno_ssthresh): +1 segment per window of ACKs, halve on loss.
// NewReno's partial-ACK recovery (RFC 6582) lives in the sender, shared by all policies.
import type { CongestionControl, CwndState } from './congestion.ts';

export function newReno(): CongestionControl {
  return {
    name: 'newreno',
    onCaAck(s: CwndState, ackUnits: number): void {
      // RFC 5681 eq. (3): cwnd += SMSS*SMSS/cwnd per ACK, in segments.
      s.cwndSegs += ackUnits / s.cwndSegs;
    },
    ssthreshOnLoss(_s: CwndState, flightSegs: number): number {
      // RFC 5681 eq. (4): max(FlightSize / 2, 2 * SMSS), whole segments as in Linux.
      return Math.max(Math.floor(flightSegs / 2), 2);
    },
  };
}
