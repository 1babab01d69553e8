// What the dist/ build is made from, and a cheap fingerprint of it: every
// file's path, size and modification time under the bundled folders (plus the
// build's own configuration). bin/vioemu.js compares it with the one recorded
// in dist/stamp.json at build time, so a stale bundle never runs after an
// edit, an added or a deleted file. A stat walk of ~150 files: about 2 ms.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Folders whose files end up in the bundle (relative to the repository root). */
export const SOURCE_DIRS = ['src', 'actors', 'test/bench'];
/** Single files that change what the build produces. */
export const SOURCE_FILES = ['package.json', 'scripts/build.mjs', 'scripts/sources.mjs'];

export function sourceFingerprint(root) {
  const entries = [];
  const add = (rel) => {
    const st = statSync(join(root, rel));
    entries.push(`${rel}\0${st.size}\0${st.mtimeMs}`);
  };
  for (const dir of SOURCE_DIRS) {
    for (const d of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (d.isFile()) add(join(d.parentPath ?? d.path, d.name).slice(root.length + 1));
    }
  }
  for (const f of SOURCE_FILES) add(f);
  entries.sort();
  return createHash('sha1').update(entries.join('\n')).digest('hex');
}

/** dist/ was built from the sources as they are now (its stamp holds their fingerprint). */
export function distIsCurrent(root) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', 'stamp.json'), 'utf8')).fingerprint === sourceFingerprint(root);
  } catch {
    return false;
  }
}
