import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/** A `pnpm start`-like product: scripts/start.ts on free ports (migrate, seed, emulators, API, worker). */
export interface Product {
  process: ChildProcess;
  output: string;
  apiUrl: string;
  emulatorUrl: string;
  consoleUrl: string;
  tokens: Record<string, string>;
  stop(): Promise<void>;
}

export async function startProduct(
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<Product> {
  const child = spawn(
    process.execPath,
    ['--conditions=@meander/source', '--import', 'tsx', resolve(ROOT, 'scripts/start.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: databaseUrl,
        PORT: '0',
        EMULATOR_PORT: '0',
        AUTH_JWT_SECRET: 'admin-e2e-secret-0123456789abcdef',
        LOG_LEVEL: 'silent',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const product: Product = {
    process: child,
    output: '',
    apiUrl: '',
    emulatorUrl: '',
    consoleUrl: '',
    tokens: {},
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.stdout?.on('data', (d: Buffer) => {
    product.output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    product.output += d.toString();
  });
  const deadline = Date.now() + 180_000;
  while (!product.output.includes('Ctrl-C stops everything')) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`product did not start:\n${product.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  product.apiUrl = /^API: (\S+)$/m.exec(product.output)?.[1] ?? '';
  product.emulatorUrl = /^EMULATORS: (\S+)$/m.exec(product.output)?.[1] ?? '';
  product.consoleUrl = /^CONSOLE: (\S+)/m.exec(product.output)?.[1] ?? '';
  for (const m of product.output.matchAll(/^TOKEN (.+): (\S+)$/gm))
    product.tokens[m[1] as string] = m[2] as string;
  return product;
}

/** Wait until both demo organizations' scheduled catch-up syncs have finished. */
export async function waitForScheduledSyncs(product: Product): Promise<void> {
  const token = product.tokens.global_admin ?? '';
  const until = Date.now() + 90_000;
  for (;;) {
    const response = await fetch(`${product.apiUrl}/trpc/monitoring.overview`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as {
      result?: { data: { lastSync: { status: string } | null; activeSync: unknown }[] };
    };
    const entries = body.result?.data ?? [];
    if (entries.length === 2 && entries.every((e) => e.lastSync?.status === 'success' && !e.activeSync))
      return;
    if (Date.now() > until) throw new Error(`scheduled syncs did not finish: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
