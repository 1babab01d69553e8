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

/** The 1448-byte MSS of a 1500-byte MTU: 1518 / 1538 bytes a segment, 70 / 90 an ACK. */
export const DEFAULT_FRAMES = frameSizes(DEFAULT_MSS_BYTES);
