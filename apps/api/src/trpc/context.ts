import type { Checkpointer, CredentialCipher, Database, SecretBox } from '@meander/db';
import type { Principal } from '@meander/domain';
import type { AuthFailure } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { WriteLimiter } from '../rate-limit.js';
import type { KnownExternalRuns } from '../routers/external-runs.js';

/** What every procedure needs and tests provide: the inner context. */
export interface InnerContext {
  db: Database;
  logger: Logger;
  metrics: Metrics;
  now: () => Date;
  staleAfterSeconds: number;
  /** How often the progress subscription looks at the row. */
  progressPollMs: number;
  /** Seals webhook secrets; the private or loopback hosts webhooks may reach. */
  webhooks: { box: SecretBox; allowedHosts: readonly string[] };
  /** Per-principal limit on mutations (none for in-process callers unless given). */
  writeLimiter?: WriteLimiter | null;
  /** Signs chain heads (after seals and for evidence); holds the only copy of the signing key. */
  checkpointer: Checkpointer;
  /** Opens sealed connection settings; only code that builds an adapter may call `open`. */
  credentials: CredentialCipher | null;
  /** Sync logs known to be externally run (none: every lifecycle call reads the runner). */
  externalRuns?: KnownExternalRuns | null;
}

/** Built per request on top of the inner context: who is calling. */
export interface Context extends InnerContext {
  principal: Principal | null;
  authFailure: AuthFailure | null;
  requestId: string;
}

/** A context for `appRouter.createCaller(...)` in tests and in-process callers. */
export function createCallerContext(inner: InnerContext, principal: Principal | null): Context {
  return { ...inner, principal, authFailure: principal ? null : 'missing', requestId: 'in-process' };
}
