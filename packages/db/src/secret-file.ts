import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Read a secret file, creating it with `generate()` first when it does not exist: mode 0600 in a
 * 0700 folder. The secret is written to a private temp file and hard-linked into place, which fails
 * if the file exists: processes starting at once all end up reading the one complete winner, never
 * a half-written file. Used for the development keys `pnpm start` keeps under ./data.
 */
export function ensureSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let created = false;
  if (!existsSync(path)) {
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, generate(), { flag: 'wx', mode: 0o600 });
    try {
      linkSync(temp, path);
      created = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temp);
    }
  }
  // An existing file is tightened, never loosened: a key readable by others is a leaked key.
  if (!created) chmodSync(path, 0o600);
  return { value: readFileSync(path, 'utf8'), created };
}

/**
 * Create an empty file readable by its owner only, unless it exists. SQLite then opens it (an empty
 * file is an empty database) and gives its -wal and -shm files the same mode.
 */
export function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
}
