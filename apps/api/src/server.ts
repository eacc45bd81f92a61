import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Database } from '@meander/db';
import { type AppDeps, createApp } from './app.js';
import type { Logger } from './logger.js';

/** A listening API server. */
export interface RunningApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Start the API on `port` (0 = a free port) and resolve once it listens. */
export async function startApiServer(options: {
  db: Database;
  port: number;
  host?: string;
  jwtSecret: string;
  logger?: Logger;
  staleAfterSeconds?: number;
  progressPollMs?: number;
  console?: AppDeps['console'];
}): Promise<RunningApi> {
  const { app } = createApp(options);
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: host }, (info: AddressInfo) => {
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      resolve({
        url: `http://${shownHost}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Open SSE streams would keep close() waiting forever.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', reject);
  });
}
