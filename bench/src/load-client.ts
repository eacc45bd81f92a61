/**
 * The API benchmark's load generator, run as its own process (`fork`): the server under test keeps
 * one core to itself, and the client's own cost (which differs between a tRPC call with a JSON body
 * and a bare route) never lands on the server's side of the ratio. Plain `node:http` with a
 * keep-alive agent, the cheapest client Node has.
 */
import { Agent, request } from 'node:http';
import { summarize } from './stats.js';
import { COMPLETION, NEW_SYNC } from './sync-input.js';

/** What the bench process sends: which scenario to drive, for how long, with which targets. */
export interface LoadOrder {
  scenario: LoadScenario;
  seconds: number;
  clients: number;
  apiUrl: string;
  bareUrl: string;
  adminToken: string;
  serviceToken: string;
  organizations: string[];
  /** Run the unmeasured warm-up first (default true; repetitions after the first skip it). */
  warmup?: boolean;
}

export type LoadScenario =
  | 'ceiling'
  | 'trpc-list'
  | 'bare-list'
  | 'trpc-cycle'
  | 'store-cycle'
  | 'minimal-cycle';

/** What the client answers: iterations per second and their latency. */
export interface LoadResult {
  rps: number;
  errors: number;
  n: number;
  p50: number;
  p99: number;
  mean: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(
  method: 'GET' | 'POST',
  url: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** One iteration of a scenario for client `c`; resolves to the status that decides success. */
function iteration(order: LoadOrder): (c: number, i: number) => Promise<number> {
  const org = (i: number) => order.organizations[i % order.organizations.length] as string;
  const { apiUrl, bareUrl, adminToken, serviceToken } = order;
  const trpc = (path: string, body: unknown) => send('POST', `${apiUrl}/trpc/${path}`, serviceToken, body);
  const idOf = (body: string, trpcShape: boolean) => {
    const parsed = JSON.parse(body) as { id?: string; result?: { data: { id: string } } };
    return (trpcShape ? parsed.result?.data.id : parsed.id) ?? '';
  };
  switch (order.scenario) {
    case 'ceiling':
      return async () => (await send('GET', `${bareUrl}/bare/ping`, null)).status;
    case 'trpc-list':
      return async (c, i) => {
        const input = encodeURIComponent(JSON.stringify({ organizationId: org(c * 7 + i) }));
        return (await send('GET', `${apiUrl}/trpc/syncLogs.list?input=${input}`, adminToken)).status;
      };
    case 'bare-list':
      return async (c, i) => (await send('GET', `${bareUrl}/bare/list?org=${org(c * 7 + i)}`, null)).status;
    // Each client cycles its own organization (one active sync per organization), per scenario.
    case 'trpc-cycle':
      return async (c) => {
        const created = await trpc('syncLogs.create', { organizationId: org(c), ...NEW_SYNC });
        if (created.status !== 200) return created.status;
        const id = idOf(created.body, true);
        await trpc('syncLogs.start', { id });
        return (await trpc('syncLogs.complete', { id, ...COMPLETION })).status;
      };
    // The bare routes get the same bodies as tRPC: a route cannot create a sync log without reading
    // its input, so the baseline reads and parses it too (it validates nothing; the store does).
    case 'store-cycle':
      return async (c) => {
        const bare = (path: string, body: unknown) =>
          send('POST', `${bareUrl}/bare/store/${path}`, null, body);
        const created = await bare('create', { organizationId: org(c + 16), ...NEW_SYNC });
        if (created.status !== 200) return created.status;
        const id = idOf(created.body, false);
        await bare('start', { id });
        return (await bare('complete', { id, ...COMPLETION })).status;
      };
    case 'minimal-cycle':
      return async (c) => {
        const o = org(c + 32);
        const bare = (path: string, body: unknown) => send('POST', `${bareUrl}/bare/${path}`, null, body);
        const created = await bare(`create/${o}`, { organizationId: o, ...NEW_SYNC });
        if (created.status !== 200) return created.status;
        const id = idOf(created.body, false);
        await bare(`start/${id}`, { id });
        return (await bare(`complete/${o}/${id}`, { id, ...COMPLETION })).status;
      };
  }
}

/**
 * Drive the scenario from `clients` concurrent loops for `seconds`, after an unmeasured warm-up
 * (the first second of a path is the JIT compiling it: without it whichever path ran first lost).
 */
export async function runLoad(order: LoadOrder): Promise<LoadResult> {
  const run = iteration(order);
  if (order.warmup !== false) await drive(run, order.clients, Math.min(2, order.seconds / 2));
  return drive(run, order.clients, order.seconds);
}

async function drive(
  run: (c: number, i: number) => Promise<number>,
  clients: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < until; i += 1) {
        const t = performance.now();
        const status = await run(client, i).catch(() => 0);
        latencies.push(performance.now() - t);
        if (status === 0 || status >= 400) errors += 1;
      }
    }),
  );
  return { rps: Math.round((latencies.length / seconds) * 10) / 10, errors, ...summarize(latencies) };
}

// As a forked child: answer each order with its result until told to stop.
if (process.send) {
  process.on('message', (order: LoadOrder | 'exit') => {
    if (order === 'exit') process.exit(0);
    runLoad(order).then(
      (result) => process.send?.({ result }),
      (error: unknown) => process.send?.({ error: String(error) }),
    );
  });
  process.send('ready');
}
