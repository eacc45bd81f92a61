import type { Client } from './client.js';

/** What every command gets: the client, the output mode, and writers that respect it. */
export interface CommandContext {
  client: Client;
  apiUrl: string;
  /** The bearer token, for the few downloads that are plain HTTP rather than tRPC. */
  token?: string;
  json: boolean;
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
): CommandContext {
  return {
    client,
    apiUrl,
    ...(token ? { token } : {}),
    json,
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
