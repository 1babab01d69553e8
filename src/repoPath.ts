// Files of the repository itself (scenarios/, docs/, package-lock.json), found
// from this module's place wherever vioemu is started: scripts/build.mjs keeps
// each module's own import.meta.url in the dist/ bundle.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** An absolute path inside the repository, e.g. repoPath('scenarios', 'paper'). */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}
