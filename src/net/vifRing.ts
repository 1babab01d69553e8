// The shared RX ring of one vif (xen/include/public/io/ring.h, netif.h): the
// indices both ends see. Indices only grow (RING_IDX arithmetic without the
// wrap), so "between" is a plain comparison.

export class RxSharedRing {
  /** sring->req_prod: receive buffers netfront has pushed. */
  reqProd = 0;
  /** sring->req_event: netfront notifies when its push crosses this (netback sets it when it stops the queue). */
  reqEvent = 1;
  /** sring->rsp_prod: responses netback has pushed. */
  rspProd = 0;
  /** sring->rsp_event: netback notifies when its push crosses this (netfront sets it when it re-arms). */
  rspEvent = 1;

  constructor(readonly slots: number) {}
}

/**
 * RING_PUSH_{REQUESTS,RESPONSES}_AND_CHECK_NOTIFY: notify iff the event index
 * lies in (old, new] — `(RING_IDX)(new - event) < (RING_IDX)(new - old)`.
 */
export function crossed(event: number, oldIdx: number, newIdx: number): boolean {
  return event > oldIdx && event <= newIdx;
}
