import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { CheckpointSigner, CredentialCipher, Database } from '@meander/db';
import { type AppDeps, createApp } from './app.js';
import type { TokenPolicy } from './auth/tokens.js';
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
  webhooks?: AppDeps['webhooks'];
  maxBatchSize?: AppDeps['maxBatchSize'];
  writeRateLimit?: AppDeps['writeRateLimit'];
  signer?: CheckpointSigner;
  checkpointIntervalMs?: AppDeps['checkpointIntervalMs'];
  credentials?: CredentialCipher;
  tokenPolicy?: TokenPolicy;
  console?: AppDeps['console'];
}): Promise<RunningApi> {
  const { app, inner } = createApp(options);
  // Heads sealed while no signer ran (an upgrade, a crash between seal and signature) get signed now.
  await inner.checkpointer.catchUp();
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
            // Seals still inside their signing window are signed before the process goes.
          }).then(() => inner.checkpointer.close()),
      });
    });
    server.once('error', reject);
  });
}
