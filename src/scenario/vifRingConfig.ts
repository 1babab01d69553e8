// The vif's shared receive ring, one ring seen from both ends: netback's
// `net.netback.ringSlots` is its size, and netfront's settings must fit in it.
// Xen 3.1 (netif.h, netfront.c, netback.c) keeps these consistent by
// construction — NET_RX_RING_SIZE is __RING_SIZE of one page (a power of two,
// 256), RX_MAX_TARGET = min(NET_RX_RING_SIZE, 256), rx_min_target starts at
// RX_DFL_MIN_TARGET 64 and the sysfs stores clamp it to [RX_MIN_TARGET 8,
// rx_max_target] — so a scenario that sizes the ring differently gets the same
// derivation, and a setting the sources could never produce is an error
// naming its field rather than a run that stalls or loses packets silently.
import { netbkCopyBytes, rxSlotsPerSegment } from '../net/frames.ts';
import type { NetbackConfig } from '../net/netback.ts';
import type { NetfrontConfig } from '../net/netfront.ts';
import { ScenarioError } from './errors.ts';
import { netSection, type NetSection } from './netSchema.ts';

/** MAX_SKB_FRAGS on 4 KiB pages (65536/PAGE_SIZE + 2), which net_rx_action keeps in hand per pass. */
const MAX_SKB_FRAGS = 18;

/**
 * netback.c's net_rx_action ends a pass once `count + MAX_SKB_FRAGS >= NET_RX_RING_SIZE`: at most
 * ring − 18 slots per grant-copy pass (238 of 256), unless the scenario sets it.
 */
export function maxSlotsPerPass(n: NetSection, file: string): number {
  const ring = n.netback.ringSlots;
  const v = n.netback.maxSlotsPerPass ?? Math.max(1, ring - MAX_SKB_FRAGS);
  if (v > ring) throw new ScenarioError(file, 'net.netback.maxSlotsPerPass', `more than the ring's ${ring} slots`);
  return v;
}

/** RX_DFL_MIN_TARGET and the 256 of RX_MAX_TARGET in netfront.c. */
const RX_DFL_MIN_TARGET = 64;
const RX_MAX_TARGET_CAP = 256;

export function vifRingConfig(n: NetSection, file: string): NetfrontConfig {
  const ring = n.netback.ringSlots;
  if (ring < 2 || (ring & (ring - 1)) !== 0) {
    throw new ScenarioError(file, 'net.netback.ringSlots', `the shared ring holds a power of two of slots (__RING_SIZE), got ${ring}`);
  }
  const f = n.netfront;
  if (f.ringSlots !== undefined && f.ringSlots !== ring) {
    throw new ScenarioError(file, 'net.netfront.ringSlots', `netfront and netback share one ring: must equal net.netback.ringSlots (${ring}), or be left out`);
  }
  const rxMaxTarget = f.rxMaxTarget ?? Math.min(ring, RX_MAX_TARGET_CAP);
  if (rxMaxTarget > ring) {
    throw new ScenarioError(file, 'net.netfront.rxMaxTarget', `more buffers than the ring's ${ring} slots (RX_MAX_TARGET = min(NET_RX_RING_SIZE, 256))`);
  }
  const rxMinTarget = f.rxMinTarget ?? Math.min(RX_DFL_MIN_TARGET, rxMaxTarget);
  if (rxMinTarget > rxMaxTarget) {
    throw new ScenarioError(file, 'net.netfront.rxMinTarget', `above rxMaxTarget (${rxMaxTarget}); netfront's sysfs store keeps rx_min_target <= rx_max_target`);
  }
  if (n.netback.neededSlots > ring) {
    throw new ScenarioError(file, 'net.netback.neededSlots', `more than the ring's ${ring} slots: netback could never find room for a packet (netbk_queue_full)`);
  }
  // netback stops taking packets with neededSlots − 1 requests left (netbk_queue_full); netfront posts more
  // only once it can post at least rx_target/2 (network_alloc_rx_buffers: "Is the batch large enough to be
  // worthwhile?"). At the smallest target that must still happen, or both wait for each other for ever.
  const refillAt = rxMinTarget - Math.floor(rxMinTarget / 2);
  if (n.netback.neededSlots - 1 > refillAt) {
    // Blame what the scenario set: netback's reserve if it moved, else the setting that made the target small.
    const field =
      n.netback.neededSlots !== netSection.parse({}).netback.neededSlots ? 'net.netback.neededSlots'
      : f.rxMinTarget !== undefined ? 'net.netfront.rxMinTarget'
      : f.rxMaxTarget !== undefined ? 'net.netfront.rxMaxTarget'
      : 'net.netback.ringSlots';
    const minFrom =
      f.rxMinTarget !== undefined ? 'rxMinTarget'
      : f.rxMaxTarget !== undefined ? `rxMinTarget, min(${RX_DFL_MIN_TARGET}, rxMaxTarget ${rxMaxTarget})`
      : `rxMinTarget, from a ${ring}-slot ring`;
    const larger =
      rxMinTarget < rxMaxTarget ? `a larger rxMinTarget (up to rxMaxTarget ${rxMaxTarget})`
      : rxMaxTarget < Math.min(ring, RX_MAX_TARGET_CAP) ? `a larger rxMaxTarget (up to ${Math.min(ring, RX_MAX_TARGET_CAP)})`
      : 'a larger ring';
    throw new ScenarioError(
      file,
      field,
      `${n.netback.neededSlots} slots kept for one packet (net.netback.neededSlots) deadlock the ring: netback stops with ${n.netback.neededSlots - 1} requests left, ` +
        `and netfront at its minimum target of ${rxMinTarget} buffers (${minFrom}) refills only with at most ${refillAt} outstanding ` +
        `(a batch of at least rx_target/2); want neededSlots <= ${refillAt + 1}, or ${larger}`,
    );
  }
  return { rxMinTarget, rxMaxTarget, napiWeight: f.napiWeight, slotsPerSegment: rxSlotsPerSegment(n.mssBytes) };
}

/**
 * netback's side of the vif: its queue, the ring, and the slots a received segment takes. A jumbo
 * segment (split by netbk_copy_skb into page fragments) needs the frontend's feature-sg, under which
 * netbk_max_required_rx_slots keeps MAX_SKB_FRAGS + 2 slots: neededSlots must cover one segment.
 */
export function netbackConfig(n: NetSection, file: string): NetbackConfig {
  const slotsPerSegment = rxSlotsPerSegment(n.mssBytes);
  if (n.netback.neededSlots < slotsPerSegment) {
    throw new ScenarioError(
      file,
      'net.netback.neededSlots',
      `${n.netback.neededSlots} is fewer than the ${slotsPerSegment} ring slots one ${n.mssBytes}-byte segment takes (net.mssBytes: its frame crosses a page, so netback splits it into page fragments, one slot each); want at least ${slotsPerSegment} (feature-sg's MAX_SKB_FRAGS + 2 = 20)`,
    );
  }
  return {
    txqueuelen: n.netback.txqueuelen,
    ringSlots: n.netback.ringSlots,
    maxSlotsPerPass: maxSlotsPerPass(n, file),
    neededSlots: n.netback.neededSlots,
    stopTimeoutNs: n.netback.stopTimeout,
    slotsPerSegment,
    copyBytesPerSegment: netbkCopyBytes(n.mssBytes),
  };
}
