import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Read a secret file, creating it with `generate()` first when it does not exist: mode 0600 in a
 * 0700 folder, written with `wx` so two processes starting at once end up with the same secret (the
 * loser reads the winner's file). Used for the development keys `pnpm start` keeps under ./data.
 */
export function ensureSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, generate(), { flag: 'wx', mode: 0o600 });
    return { value: readFileSync(path, 'utf8'), created: true };
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  }
  // An existing file is tightened, never loosened: a key readable by others is a leaked key.
  chmodSync(path, 0o600);
  return { value: readFileSync(path, 'utf8'), created: false };
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
