import { Sim } from './src/kernel/sim.ts';
import { buildHost, metricDefs } from './src/demo/ring.ts';
const sim = new Sim({ seed: 1 });
sim.metrics.define(metricDefs);
const cfg = { hosts: 1, actorsPerHost: 128, tokensPerActor: 4, linkLatencyNs: 20000, meanHoldNs: 500000, remoteFraction: 0, actorKind: process.argv[2] as 'plain' };
buildHost(sim, cfg, 0, { trace: false, perVcpuMetrics: false });
const t0 = performance.now();
sim.runUntil(1e9);
console.log(sim.eventsProcessed, (performance.now() - t0).toFixed(0), 'ms');
