import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The CLI's suites run its build (`dist/main.js`), what a production install runs, built here once
 * per run from the sources as they are now. Each command started from the sources through tsx
 * cost 0.75 s of CPU against 0.2 s, and the suites start well over a hundred.
 */
export default function buildCli(): void {
  execFileSync('pnpm', ['run', 'build'], { cwd: join(import.meta.dirname, '../..'), stdio: 'ignore' });
}
