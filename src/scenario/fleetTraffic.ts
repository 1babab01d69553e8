// Traffic patterns → the fleet's flow table: who sends to whom, with which
// application. DomUs are numbered host-major (host 0's guests, then host 1's,
// ...); peers are chosen by rule (next host, same host, next rack), by a
// seeded random derangement (permutation), within groups (all-to-all), or as
// fan-in groups (incast). Deterministic for a given scenario and seed.
import { Rng } from '../kernel/rng.ts';
import { ROLE, type AppSpec, type FleetHostSpec, type FlowTable } from '../net/fleet/config.ts';
import { ScenarioError } from './errors.ts';
import type { TrafficSection } from './fleetSchema.ts';

/** Most flows one fleet may have (each is a TCP connection with its own state on two hosts). */
export const MAX_FLEET_FLOWS = 65_536;

interface Dom {
  host: number;
  guest: number;
}

interface PendingFlow {
  src: Dom;
  dst: Dom;
  app: number;
  role: number;
  peerOffset: number;
  group: number;
}

export interface TrafficPlan {
  flows: FlowTable;
  apps: AppSpec[];
  groups: Dom[];
}

/** Salt of the permutation's random stream (not an actor id of any host). */
const PERMUTATION_STREAM = 0x7e4d_0001;

export function planTraffic(hosts: FleetHostSpec[], rackHosts: number[][], traffic: TrafficSection[], seed: number, mssBytes: number, defaultMessageBytes: number, file: string): TrafficPlan {
  const doms: Dom[] = [];
  hosts.forEach((h, hi) => h.domus.forEach((_, g) => doms.push({ host: hi, guest: g })));
  const firstDom: number[] = [];
  let acc = 0;
  for (const h of hosts) {
    firstDom.push(acc);
    acc += h.domus.length;
  }
  const domAt = (host: number, guest: number): Dom => ({ host, guest: guest % hosts[host]!.domus.length });
  const segs = (bytes: number) => Math.max(1, Math.ceil(bytes / mssBytes));

  // Writers' -l (messageSize) drives only bulk writers: request-response and incast write their own sizes, and
  // would ignore it silently.
  traffic.forEach((t, i) => {
    if (t.pattern !== 'request-response' && t.pattern !== 'incast') return;
    const at = `net.fleet.traffic.${i}`;
    const instead = t.pattern === 'incast' ? 'set requestSize and blockSize' : 'set requestSize and responseSize';
    if (t.messageSize !== undefined) throw new ScenarioError(file, `${at}.messageSize`, `not used by ${t.pattern} (${instead})`);
    t.phases.forEach((p, j) => {
      if (p.messageSize !== undefined) throw new ScenarioError(file, `${at}.phases.${j}.messageSize`, `not used by ${t.pattern} (${instead})`);
    });
  });

  // Count first: a pattern that would make too many flows is refused before any is built.
  let total = 0;
  traffic.forEach((t, i) => {
    const at = `net.fleet.traffic.${i}`;
    let n: number;
    if (t.pattern === 'bulk' || t.pattern === 'permutation') n = doms.length * t.flows;
    else if (t.pattern === 'request-response') n = 2 * doms.length;
    else if (t.pattern === 'incast') n = 2 * t.receivers * t.fanIn;
    else {
      const k = Math.min(t.groupSize ?? doms.length, doms.length);
      const full = Math.floor(doms.length / k);
      const rest = doms.length - full * k;
      // A last group of one would have nobody to send to or hear from: a DomU left out of the pattern unsaid.
      if (rest === 1) {
        throw new ScenarioError(file, `${at}.groupSize`, `groups of ${k} consecutive DomUs leave the last of the ${doms.length} in a group of its own, with no DomU to exchange with; pick a groupSize that leaves no DomU alone`);
      }
      n = full * k * (k - 1) + rest * (rest - 1);
    }
    total += n;
    if (total > MAX_FLEET_FLOWS) throw new ScenarioError(file, at, `${total} flows so far (${n} from this pattern); at most ${MAX_FLEET_FLOWS}`);
  });

  const out: PendingFlow[] = [];
  const apps: AppSpec[] = [];
  const groups: Dom[] = [];
  const peerOf = (peer: 'next-host' | 'same-host' | 'next-rack', d: Dom, at: string): Dom => {
    const h = hosts[d.host]!;
    if (peer === 'same-host') {
      if (h.domus.length < 2) throw new ScenarioError(file, `${at}.peer`, `same-host needs at least 2 DomUs on every host; ${h.name} has ${h.domus.length}`);
      return domAt(d.host, d.guest + 1);
    }
    if (peer === 'next-host') {
      if (hosts.length < 2) throw new ScenarioError(file, `${at}.peer`, 'next-host needs at least 2 hosts');
      return domAt((d.host + 1) % hosts.length, d.guest);
    }
    if (rackHosts.length < 2) throw new ScenarioError(file, `${at}.peer`, 'next-rack needs at least 2 racks');
    const next = rackHosts[(h.rack + 1) % rackHosts.length]!;
    return domAt(next[h.port % next.length]!, d.guest);
  };

  traffic.forEach((t, i) => {
    const at = `net.fleet.traffic.${i}`;
    const messageBytes = t.messageSize ?? defaultMessageBytes;
    const phases = t.phases.map((p) => ({ durationNs: p.duration, active: p.active, messageBytes: p.messageSize ?? messageBytes }));
    const app = apps.length;
    const bulk = (src: Dom, dst: Dom) => out.push({ src, dst, app, role: ROLE.bulk, peerOffset: 0, group: -1 });
    if (t.pattern === 'bulk') {
      apps.push({ kind: 'bulk', messageBytes, requestSegs: 0, responseSegs: 0, requestBytes: 0, responseBytes: 0, phases });
      for (const d of doms) {
        const p = peerOf(t.peer, d, at);
        for (let k = 0; k < t.flows; k++) bulk(d, p);
      }
    } else if (t.pattern === 'permutation') {
      if (doms.length < 2) throw new ScenarioError(file, `${at}.pattern`, 'a permutation needs at least 2 DomUs');
      apps.push({ kind: 'bulk', messageBytes, requestSegs: 0, responseSegs: 0, requestBytes: 0, responseBytes: 0, phases });
      // Sattolo's shuffle: one cycle through all DomUs, so nobody sends to itself.
      const perm = doms.map((_, k) => k);
      const rng = new Rng(seed, PERMUTATION_STREAM + i);
      for (let k = perm.length - 1; k > 0; k--) {
        const j = rng.int(k);
        [perm[k], perm[j]] = [perm[j]!, perm[k]!];
      }
      doms.forEach((d, k) => {
        for (let f = 0; f < t.flows; f++) bulk(d, doms[perm[k]!]!);
      });
    } else if (t.pattern === 'all-to-all') {
      if (doms.length < 2) throw new ScenarioError(file, `${at}.pattern`, 'all-to-all needs at least 2 DomUs');
      apps.push({ kind: 'bulk', messageBytes, requestSegs: 0, responseSegs: 0, requestBytes: 0, responseBytes: 0, phases });
      const k = Math.min(t.groupSize ?? doms.length, doms.length);
      for (let g0 = 0; g0 < doms.length; g0 += k) {
        const members = doms.slice(g0, g0 + k);
        for (const a of members) for (const b of members) if (a !== b) bulk(a, b);
      }
    } else if (t.pattern === 'request-response') {
      apps.push({ kind: 'rr', messageBytes, requestSegs: segs(t.requestSize), responseSegs: segs(t.responseSize), requestBytes: t.requestSize, responseBytes: t.responseSize, phases });
      for (const d of doms) {
        const s = peerOf(t.peer, d, at);
        out.push({ src: d, dst: s, app, role: ROLE.request, peerOffset: 1, group: -1 });
        out.push({ src: s, dst: d, app, role: ROLE.response, peerOffset: -1, group: -1 });
      }
    } else {
      if (t.receivers > hosts.length) throw new ScenarioError(file, `${at}.receivers`, `${t.receivers} receivers need as many hosts; the fleet has ${hosts.length}`);
      apps.push({ kind: 'incast', messageBytes, requestSegs: segs(t.requestSize), responseSegs: segs(t.blockSize), requestBytes: t.requestSize, responseBytes: t.blockSize, phases });
      for (let r = 0; r < t.receivers; r++) {
        const rh = Math.floor((r * hosts.length) / t.receivers);
        const agg: Dom = { host: rh, guest: 0 };
        const others = doms.length - hosts[rh]!.domus.length;
        if (t.fanIn > others) throw new ScenarioError(file, `${at}.fanIn`, `${t.fanIn} senders, but only ${others} DomUs are on other hosts than the aggregator's (${hosts[rh]!.name})`);
        const group = groups.length;
        groups.push(agg);
        // Senders: the DomUs after the aggregator's host, in order, skipping that host.
        let k = firstDom[(rh + 1) % hosts.length]!;
        for (let n = 0; n < t.fanIn; k = (k + 1) % doms.length) {
          const s = doms[k]!;
          if (s.host === rh) continue;
          out.push({ src: agg, dst: s, app, role: ROLE.request, peerOffset: 1, group });
          out.push({ src: s, dst: agg, app, role: ROLE.response, peerOffset: -1, group });
          n++;
        }
      }
    }
  });

  const n = out.length;
  const flows: FlowTable = {
    count: n,
    srcHost: new Int32Array(n),
    srcGuest: new Int32Array(n),
    dstHost: new Int32Array(n),
    dstGuest: new Int32Array(n),
    app: new Int32Array(n),
    role: new Int8Array(n),
    peer: new Int32Array(n),
    group: new Int32Array(n),
  };
  out.forEach((f, k) => {
    flows.srcHost[k] = f.src.host;
    flows.srcGuest[k] = f.src.guest;
    flows.dstHost[k] = f.dst.host;
    flows.dstGuest[k] = f.dst.guest;
    flows.app[k] = f.app;
    flows.role[k] = f.role;
    flows.peer[k] = f.role === ROLE.bulk ? -1 : k + f.peerOffset;
    flows.group[k] = f.group;
  });
  return { flows, apps, groups };
}
