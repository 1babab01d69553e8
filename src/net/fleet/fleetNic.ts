// A fleet host's physical NIC receive side: the paper's NIC (nicRx.ts — RX
// descriptor ring, interrupt delay, NAPI poll) fed by wire messages from the
// ToR, which carry data and ACK runs of many flows.
import { NicRx } from '../nicRx.ts';
import type { WireMsg } from './wire.ts';

export class FleetNic extends NicRx {
  override receive(msg: unknown): void {
    const m = msg as WireMsg;
    let ok = 0;
    for (const r of m.runs) {
      const n = this.ring.push(r.flow, r.seq, r.count, r.ack);
      ok += n;
      this.drops += r.count - n;
    }
    this.received += ok;
    if (ok > 0 && this.machine.value === 'armed') this.machine.send({ type: 'RX' });
  }
}
