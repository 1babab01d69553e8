// Linux 2.6.18's receive-buffer autotuning (sysctl_tcp_moderate_rcvbuf = 1,
// net/ipv4/tcp_input.c) for one connection: the buffer starts at tcp_rmem[1]
// and grows toward tcp_rmem[2] as the application reads faster than a
// receiver RTT; the window offered meanwhile is clamped to rcv_ssthresh,
// which tcp_grow_window raises per full segment.

export interface ReceiveAutotune {
  /** tcp_rmem[1]: the initial receive buffer (87380). */
  rmemDefaultBytes: number;
  /** tcp_rmem[2]: the most autotuning may grow it to (4 MiB with >= 512 MiB of RAM, from tcp_init). */
  rmemMaxBytes: number;
  /** One jiffy: the receiver's RTT estimate is in jiffies and never below one (tcp_rcv_rtt_update). */
  jiffyNs: number;
  /** Skb memory per full segment (advmss + MAX_TCP_HEADER + 16 + sizeof(sk_buff), rounded up by 128). */
  rcvmemBytes: number;
  /** Initial window in segments (tcp_select_initial_window: init_cwnd 4 for mss <= 1460). */
  initialWindowSegs: number;
}

export class ReceiveBufferTuner {
  /** tp->window_clamp and tp->rcv_ssthresh in bytes. */
  private windowClampBytes: number;
  private rcvSsthreshBytes: number;
  /** tp->rcvq_space: bytes of the last measurement, copied_seq and time at its start. */
  private spaceBytes: number;
  private spaceSeqBytes = 0;
  private spaceTimeNs: number | null = null;
  /**
   * tp->rcv_rtt_est from tcp_rcv_rtt_measure: the smallest window-arrival sample so far in jiffies
   * (0: none yet), and the measurement under way — the segment rcv_nxt must reach (what was
   * rcv_nxt + rcv_wnd at its start) and the jiffy it started in.
   */
  private rcvRttJiffies = 0;
  private rcvRttSeq = 0;
  private rcvRttStartJiffy: number | null = null;

  constructor(
    private readonly a: ReceiveAutotune,
    private readonly mssBytes: number,
    /** tcp_full_space of the initial buffer. */
    initialCapacityBytes: number,
  ) {
    // tcp_init_buffer_space: window_clamp = tcp_full_space; rcv_ssthresh = the initial window.
    this.windowClampBytes = initialCapacityBytes;
    this.rcvSsthreshBytes = Math.min(a.initialWindowSegs * mssBytes, this.windowClampBytes);
    this.spaceBytes = this.rcvSsthreshBytes;
  }

  /** __tcp_select_window: the offer is clamped to rcv_ssthresh (and window_clamp). */
  clampFreeBytes(freeBytes: number): number {
    return Math.min(freeBytes, this.rcvSsthreshBytes, this.windowClampBytes);
  }

  /** tcp_grow_window, per full segment delivered: rcv_ssthresh += 2·advmss while below the clamp and the free space. */
  grow(segs: number, freeBytes: number): void {
    const room = Math.min(this.windowClampBytes, freeBytes);
    if (this.rcvSsthreshBytes < room) this.rcvSsthreshBytes = Math.min(this.rcvSsthreshBytes + 2 * this.mssBytes * segs, this.windowClampBytes);
  }

  /**
   * tcp_rcv_rtt_measure (tcp_event_data_recv, in-order data): the jiffies rcv_nxt takes to pass what was
   * rcv_nxt + rcv_wnd when the measurement began — a round trip when the sender is window-limited, more
   * when it is not. Linux also feeds the estimate timestamp echoes (tcp_rcv_rtt_measure_ts), which the
   * model does not carry; the window samples are therefore kept as their minimum, so an estimate only
   * falls, as a window sample's in Linux does once there is one.
   */
  rttMeasure(nowNs: number, rcvNxt: number, rcvWndSegs: number): void {
    const jiffy = Math.floor(nowNs / this.a.jiffyNs);
    if (this.rcvRttStartJiffy !== null) {
      if (rcvNxt < this.rcvRttSeq) return;
      const m = Math.max(1, jiffy - this.rcvRttStartJiffy); // tcp_rcv_rtt_update: a 0 sample counts as 1
      if (this.rcvRttJiffies === 0 || m < this.rcvRttJiffies) this.rcvRttJiffies = m;
    }
    this.rcvRttSeq = rcvNxt + Math.max(0, rcvWndSegs);
    this.rcvRttStartJiffy = jiffy;
  }

  /**
   * tcp_rcv_space_adjust after the application copied data (`bytesRead` in all), once per receiver RTT
   * estimate (one jiffy on a LAN, and before the first sample). Returns the grown sk_rcvbuf, or null
   * when it stays `rcvBufBytes`.
   */
  spaceAdjust(nowNs: number, bytesRead: number, rcvBufBytes: number): number | null {
    let grown: number | null = null;
    if (this.spaceTimeNs !== null) {
      if (nowNs - this.spaceTimeNs < this.a.jiffyNs * Math.max(1, this.rcvRttJiffies)) return null;
      const space = Math.max(this.spaceBytes, 2 * (bytesRead - this.spaceSeqBytes));
      if (space !== this.spaceBytes) {
        this.spaceBytes = space;
        const rcvbuf = Math.min(Math.max(1, Math.floor(space / this.mssBytes)) * this.a.rcvmemBytes, this.a.rmemMaxBytes);
        if (rcvbuf > rcvBufBytes) {
          grown = rcvbuf;
          this.windowClampBytes = space; // "Make the window clamp follow along."
        }
      }
    }
    this.spaceSeqBytes = bytesRead;
    this.spaceTimeNs = nowNs;
    return grown;
  }
}
