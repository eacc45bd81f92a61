import { router } from '../trpc/init.js';
import { auditRouter } from './audit.js';
import { expenseRecordsRouter } from './expense-records.js';
import { monitoringRouter } from './monitoring.js';
import { organizationsRouter } from './organizations.js';
import { rejectionsRouter } from './rejections.js';
import { resyncRouter } from './resync.js';
import { syncLogsRouter } from './sync-logs.js';
import { syncsRouter } from './syncs.js';
import { webhooksRouter } from './webhooks.js';

/** The whole API, exactly as the contract names it. */
export const appRouter = router({
  organizations: organizationsRouter,
  syncLogs: syncLogsRouter,
  syncs: syncsRouter,
  resync: resyncRouter,
  monitoring: monitoringRouter,
  audit: auditRouter,
  webhooks: webhooksRouter,
  rejections: rejectionsRouter,
  expenseRecords: expenseRecordsRouter,
});

/** The router type typed clients (the CLI, the admin frontend) are built on. */
export type AppRouter = typeof appRouter;
