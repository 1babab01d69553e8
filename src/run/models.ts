// Model modules by scenario `model:` name, imported statically so worker
// threads load them through the same TypeScript loader as everything else.
import * as ring from '../demo/ring.ts';
import type { ModelModule } from '../kernel/model.ts';
import * as xen from '../xen/model.ts';
import * as net from '../net/model.ts';

export const MODEL_MODULES: Record<string, ModelModule<never>> = {
  ring: ring as ModelModule<never>,
  xen: xen as ModelModule<never>,
  net: net as ModelModule<never>,
};
