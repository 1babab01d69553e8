// piscina worker for runner tests: a tiny model whose hosts ping their
// neighbour every `linkNs` (so partitions synchronise) and where host
// `crashHost` throws at `crashAtNs` — a model error in any partition.
import { actorId, type HostInstance, type ModelModule } from '../../src/kernel/model.ts';
import { runPartitionTask, type PartitionTaskInput } from '../../src/kernel/partitionTask.ts';
import type { Sim } from '../../src/kernel/sim.ts';

export interface FaultyConfig {
  hosts: number;
  linkNs: number;
  crashHost: number;
  crashAtNs: number;
}

const model: ModelModule<FaultyConfig> = {
  metricDefs: [],
  buildHost(sim: Sim, cfg: FaultyConfig, hostIndex: number): HostInstance {
    const id = actorId(hostIndex, 0);
    let pings = 0;
    sim.register({
      id,
      receive: () => {
        pings++;
        if (hostIndex === cfg.crashHost && sim.nowNs >= cfg.crashAtNs) throw new Error(`model error on host ${hostIndex}`);
        sim.send(id, actorId((hostIndex + 1) % cfg.hosts, 0), cfg.linkNs, null);
      },
    });
    sim.send(id, actorId((hostIndex + 1) % cfg.hosts, 0), cfg.linkNs, null);
    return { collect: () => ({ pings }) };
  },
};

export default function faultyWorker(input: PartitionTaskInput) {
  return runPartitionTask(input, model as ModelModule);
}
