import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { createClient } from '../client.js';
import type { CommandContext } from '../command-context.js';
import { configFilePath, writeStoredLogin } from '../config-file.js';
import { UsageError } from '../exit-codes.js';

/** The token from a pipe (`… | meander-sync login`) or typed at a prompt that echoes nothing. */
async function readToken(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.trim();
  }
  process.stderr.write('Bearer token (input hidden): ');
  // Keystrokes go to a sink, so the token never reaches the terminal or its scrollback.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const prompt = createInterface({ input: process.stdin, output: silent, terminal: true });
  const token = await new Promise<string>((resolve) => prompt.question('', resolve));
  prompt.close();
  process.stderr.write('\n');
  return token.trim();
}

/**
 * `meander-sync login`: check the token against the API, then keep the API URL and the token in the
 * user's config file (mode 0600) for every later command that has neither flag nor environment.
 */
export async function loginCommand(ctx: CommandContext): Promise<number> {
  const token = await readToken();
  if (!token)
    throw new UsageError('no token given: pipe it in (… | meander-sync login) or type it at the prompt');
  // A token the API refuses is never stored (the API answers UNAUTHENTICATED, exit 1).
  const organizations = await createClient({ apiUrl: ctx.apiUrl, token }).organizations.list.query();
  const path = configFilePath();
  writeStoredLogin({ apiUrl: ctx.apiUrl, token }, path);
  ctx.emit({ apiUrl: ctx.apiUrl, configFile: path, organizations: organizations.length });
  ctx.say(
    `Logged in to ${ctx.apiUrl} (${organizations.length} organization(s) visible). Saved to ${path} (mode 0600).`,
  );
  return 0;
}
