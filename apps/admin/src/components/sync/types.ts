import type { AppRouter } from '@meander/api';
import type { inferRouterOutputs } from '@trpc/server';

type Outputs = inferRouterOutputs<AppRouter>;

/** A sync log as `syncLogs.get` returns it. */
export type SyncLogView = Outputs['syncLogs']['get'];
/** One rejected record as `rejections.list` returns it. */
export type RejectedItemView = Outputs['rejections']['list']['items'][number];
