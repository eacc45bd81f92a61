import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from './exit-codes.js';

/** What `meander-sync login` keeps for the user: where the API is and the bearer token. */
export interface StoredLogin {
  apiUrl: string;
  token: string;
}

const storedSchema = z.object({
  apiUrl: z.url({ protocol: /^https?$/ }),
  token: z.string().trim().min(1),
});

/** `$XDG_CONFIG_HOME/meander-sync/config.json`, else `~/.config/meander-sync/config.json`. */
export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/')
    ? env.XDG_CONFIG_HOME
    : join(env.HOME || homedir(), '.config');
  return join(base, 'meander-sync', 'config.json');
}

/** The stored login, or undefined when there is none. A file that does not parse is a usage error naming it. */
export function readStoredLogin(path: string = configFilePath()): StoredLogin | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const parsed = storedSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(`${path} is not a meander-sync login file; run meander-sync login again`);
  return parsed.data;
}

/**
 * Keep the login readable by the user alone: the folder 0700, the file 0600, written beside and
 * renamed over the old one so a crash never leaves half a token (or a wider mode) behind.
 */
export function writeStoredLogin(login: StoredLogin, path: string = configFilePath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
