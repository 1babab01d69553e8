// piscina worker entry: one partition of one run (or one sweep point).
import { runPartitionTask, type PartitionTaskInput } from '../kernel/partitionTask.ts';
import type { ModelModule } from '../kernel/model.ts';
import { MODEL_MODULES } from './models.ts';

export default function partitionWorker(input: PartitionTaskInput) {
  const model = MODEL_MODULES[input.model];
  if (!model) throw new Error(`unknown model ${input.model}`);
  return runPartitionTask(input, model as ModelModule);
}
