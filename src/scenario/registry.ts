// One line per model: adding a model is one adapter file plus one entry here.
import type { ModelAdapter } from './model.ts';
import { ringAdapter } from './ringScenario.ts';
import { xenAdapter } from './xenScenario.ts';
import { netAdapter } from './netScenario.ts';

export const MODELS: Record<string, ModelAdapter> = {
  ring: ringAdapter,
  xen: xenAdapter,
  net: netAdapter,
};
