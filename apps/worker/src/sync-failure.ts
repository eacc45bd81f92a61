import { AccountingError } from '@meander/accounting';
import type { ErrorDetails } from '@meander/domain';

/** Error details for a sync that cannot go on, from whatever stopped it. Never includes record text. */
export function failureDetails(
  error: unknown,
  context: Record<string, string | number | boolean | null>,
): ErrorDetails {
  if (error instanceof AccountingError) {
    const d = error.details;
    return {
      code: d.code,
      message: error.message.slice(0, 4_000),
      category: d.category,
      retryable: d.retryable,
      ...(d.providerCode ? { providerCode: d.providerCode } : {}),
      ...(d.correlationId ? { correlationId: d.correlationId } : {}),
      context: {
        ...context,
        ...(d.httpStatus ? { httpStatus: d.httpStatus } : {}),
        outcomeUnknown: d.outcomeUnknown ?? false,
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'WORKER_ERROR',
    message: `The sync stopped on an unexpected error: ${message}`.slice(0, 4_000),
    category: 'unknown',
    retryable: true,
    context,
    ...(error instanceof Error && error.stack ? { stack: error.stack.slice(0, 8_000) } : {}),
  };
}

/** The sync was stopped by a shutdown between batches; the next run re-sends only what the ledger lacks. */
export function shutdownDetails(context: Record<string, string | number | boolean | null>): ErrorDetails {
  return {
    code: 'WORKER_SHUTDOWN',
    message: 'The worker shut down before the sync finished; re-run it to send the remaining records',
    category: 'unavailable',
    retryable: true,
    context,
  };
}

/** The heartbeat of a sync stopped (its worker crashed); the reaper fails it with this. */
export function workerLostDetails(heartbeatAt: string, staleAfterSeconds: number): ErrorDetails {
  return {
    code: 'WORKER_LOST',
    message: `No heartbeat since ${heartbeatAt} (more than ${staleAfterSeconds} s): the worker running this sync was lost`,
    category: 'unavailable',
    retryable: true,
    context: { lastHeartbeatAt: heartbeatAt, staleAfterSeconds },
  };
}
