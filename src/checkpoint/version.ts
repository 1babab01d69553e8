// The vioemu version a checkpoint records: a model's state only fits the code that wrote it.
import { readFileSync } from 'node:fs';

export const VIOEMU_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
