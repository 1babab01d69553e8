/** Folders whose files end up in the bundle (relative to the repository root). */
export const SOURCE_DIRS: string[];
/** Single files that change what the build produces. */
export const SOURCE_FILES: string[];
/** Fingerprint (sha1 hex) of the bundled sources: every file's path, size and modification time. */
export function sourceFingerprint(root: string): string;
export function distIsCurrent(root: string): boolean;
