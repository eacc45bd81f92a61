import type { Client } from './client.js';
import { OrganizationDirectory } from './organizations.js';
import { type Viewer, viewerFromToken } from './output/user-label.js';

/** What every command gets: the client, the output mode, and writers that respect it. */
export interface CommandContext {
  client: Client;
  apiUrl: string;
  /** The bearer token, for the few downloads that are plain HTTP rather than tRPC. */
  token?: string;
  json: boolean;
  /** The locale money and numbers are formatted in (`--locale`, else `LANG`). */
  locale: string;
  /** Who the token names (its user id and display name), for showing users by name. */
  viewer?: Viewer;
  /** Names and time zones of the organizations the token sees (asked for once, when needed). */
  organizations: OrganizationDirectory;
  /** Draw progress bars (stderr is a terminal and output is not JSON). */
  interactive: boolean;
  /** Human output on stdout (suppressed with --json). */
  say(text: string): void;
  /** Machine output on stdout (only with --json). */
  emit(value: unknown): void;
  /** Progress and notes on stderr, never stdout. */
  note(text: string): void;
}

export function createCommandContext(
  client: Client,
  apiUrl: string,
  json: boolean,
  token?: string,
  locale = 'en-GB',
): CommandContext {
  return {
    client,
    apiUrl,
    ...(token ? { token } : {}),
    json,
    locale,
    ...(viewerFromToken(token) ? { viewer: viewerFromToken(token) } : {}),
    organizations: new OrganizationDirectory(client),
    interactive: Boolean(process.stderr.isTTY) && !json,
    say: (text) => {
      if (!json) process.stdout.write(`${text}\n`);
    },
    emit: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note: (text) => {
      process.stderr.write(`${text}\n`);
    },
  };
}
