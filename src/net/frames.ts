// Ethernet frame sizes of a TCP connection's packets, from its MSS. 2.6.18
// sends TCP timestamps by default (sysctl_tcp_timestamps 1), so every segment
// carries IP 20 + TCP 20 + the aligned timestamp option 12 = 52 header bytes:
// a 1500-byte MTU gives the 1448-byte MSS, and a pure ACK is a 66-byte frame.
// On the wire each frame also takes the Ethernet header 14, FCS 4, preamble 8
// and inter-frame gap 12; a switch buffers header to FCS.

export const TCPIP_HEADER_BYTES = 52;
/** The MSS of a 1500-byte MTU with timestamps. */
export const DEFAULT_MSS_BYTES = 1448;
const ETH_HEADER_BYTES = 14;
const ETH_HEADER_FCS_BYTES = ETH_HEADER_BYTES + 4;
const PREAMBLE_GAP_BYTES = 20;
const MIN_FRAME_BYTES = 64;

export interface FrameSizes {
  /** A full data segment as buffered (Ethernet header to FCS) and on the wire. */
  dataBufferBytes: number;
  dataWireBytes: number;
  /** A pure ACK (no SACK blocks). */
  ackBufferBytes: number;
  ackWireBytes: number;
}

export function frameSizes(mssBytes: number): FrameSizes {
  const dataBufferBytes = mssBytes + TCPIP_HEADER_BYTES + ETH_HEADER_FCS_BYTES;
  const ackBufferBytes = Math.max(MIN_FRAME_BYTES, TCPIP_HEADER_BYTES + ETH_HEADER_FCS_BYTES);
  return { dataBufferBytes, dataWireBytes: dataBufferBytes + PREAMBLE_GAP_BYTES, ackBufferBytes, ackWireBytes: ackBufferBytes + PREAMBLE_GAP_BYTES };
}

/**
 * What the grant copy moves for a data packet (IP packet + Ethernet header:
 * MSS + 66) relative to the 1500-byte MTU frames Table 1 was measured with.
 */
export function copyBytesRatio(mssBytes: number): number {
  return (mssBytes + TCPIP_HEADER_BYTES + ETH_HEADER_BYTES) / (DEFAULT_MSS_BYTES + TCPIP_HEADER_BYTES + ETH_HEADER_BYTES);
}

const PAGE_BYTES = 4096;
/** ixgb's receive skb (dev_alloc_skb): NET_SKB_PAD 16 + NET_IP_ALIGN 2 bytes before the frame. */
const RX_SKB_HEADROOM_BYTES = 18;
/** sizeof(struct skb_shared_info) on x86_64 2.6.18, and Xen 3.1's x86_64 Dom0 cache line (CONFIG_X86_L1_CACHE_BYTES). */
const SKB_SHARED_INFO_BYTES = 312;
const L1_CACHE_BYTES = 128;
/**
 * netbk_copy_skb's linear head: alloc_skb(SKB_MAX_HEAD(0)) — a page less the cache-aligned
 * skb_shared_info (SKB_DATA_ALIGN: 384 bytes) — less its reserve of 16 + NET_IP_ALIGN: 3,694 bytes.
 */
const NETBK_COPY_HEAD_BYTES =
  PAGE_BYTES - Math.ceil(SKB_SHARED_INFO_BYTES / L1_CACHE_BYTES) * L1_CACHE_BYTES - RX_SKB_HEADROOM_BYTES;

/**
 * Request slots of the vif's RX ring one received data segment takes in copy mode (netback.c,
 * linux-2.6.18-xen): a slot is one page the guest posted. A frame whose linear head crosses a page
 * (skb_headlen + offset_in_page >= PAGE_SIZE: a jumbo frame, as ixgb receives it into one buffer)
 * is first copied by netif_be_start_xmit (netbk_copy_skb) into a head and page-sized fragments,
 * one slot each (rx_req_cons_peek += nr_frags + 1), which the frontend takes with feature-sg.
 * A 1500-byte MTU frame fits one page: one slot, no copy.
 */
export function rxSlotsPerSegment(mssBytes: number): number {
  const skbBytes = mssBytes + TCPIP_HEADER_BYTES + ETH_HEADER_BYTES;
  if (skbBytes + RX_SKB_HEADROOM_BYTES < PAGE_BYTES) return 1;
  return 1 + Math.ceil((skbBytes - NETBK_COPY_HEAD_BYTES) / PAGE_BYTES);
}

/** Bytes netbk_copy_skb copies for one such segment (0 when it fits one slot). */
export function netbkCopyBytes(mssBytes: number): number {
  return rxSlotsPerSegment(mssBytes) > 1 ? mssBytes + TCPIP_HEADER_BYTES + ETH_HEADER_BYTES : 0;
}

/** The 1448-byte MSS of a 1500-byte MTU: 1518 / 1538 bytes a segment, 70 / 90 an ACK. */
export const DEFAULT_FRAMES = frameSizes(DEFAULT_MSS_BYTES);
