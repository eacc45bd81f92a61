/** What a progress bar shows of a `syncs.progress` event. */
export interface ProgressView {
  /** 0–100, whole numbers; null while the total is unknown (an indeterminate bar). */
  percent: number | null;
  label: string;
  tone: 'running' | 'success' | 'partial' | 'failed' | 'waiting';
}

interface ProgressEventLike {
  status: string;
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  terminal: boolean;
}

/** Turn a progress event into what the bar and its text say. */
export function progressView(event: ProgressEventLike): ProgressView {
  const done = event.recordsSynced + event.recordsFailed;
  const total = event.recordsTotal;
  const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : event.terminal ? 100 : null;
  const failed = event.recordsFailed > 0 ? `, ${event.recordsFailed} rejected` : '';
  switch (event.status) {
    case 'pending':
      return { percent: null, label: `Waiting for the worker (${total} records)`, tone: 'waiting' };
    case 'in_progress':
      return { percent, label: `${done} of ${total} records processed${failed}`, tone: 'running' };
    case 'success':
      return {
        percent: 100,
        label: `Done: ${event.recordsSynced} of ${total} records synced`,
        tone: 'success',
      };
    case 'partial':
      return {
        percent: 100,
        label: `Finished with rejections: ${event.recordsSynced} synced, ${event.recordsFailed} rejected`,
        tone: 'partial',
      };
    case 'failed':
      return { percent: percent ?? 100, label: `Failed after ${done} of ${total} records`, tone: 'failed' };
    default:
      return { percent, label: `${done} of ${total} records`, tone: 'running' };
  }
}
