import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root, and the CLI as a production install runs it (built by ./build-cli.ts). */
export const ROOT = resolve(import.meta.dirname, '../../../..');
export const BIN = join(ROOT, 'apps/cli/dist/main.js');

/** What a finished child process left: its exit code and everything it printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `node <args…>` from the repository root without colours, and collect what it printed. */
export function runNode(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Run `meander-sync <args…>` as a child process. */
export const cli = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
  runNode([BIN, ...args], env);
