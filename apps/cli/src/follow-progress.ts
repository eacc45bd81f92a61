import type { SyncProgressEvent } from '@meander/api';
import cliProgress from 'cli-progress';
import type { Client } from './client.js';

/**
 * Time left at the current rate: `12s`, `3m05s`, `—` before the first record (cli-progress's own
 * `eta_formatted` prints `NFs` when it has no rate yet).
 */
export function etaText(remaining: number, perSecond: number): string {
  if (remaining <= 0) return '0s';
  if (!Number.isFinite(perSecond) || perSecond <= 0) return '—';
  const seconds = Math.ceil(remaining / perSecond);
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * Follow a sync until it is terminal, drawing a live bar on stderr (only on a terminal) from the
 * `syncs.progress` subscription. If the stream drops, fall back to polling `syncLogs.get`.
 */
export async function followProgress(
  client: Client,
  id: string,
  options: { showBar: boolean },
): Promise<void> {
  const bar = options.showBar
    ? new cliProgress.SingleBar(
        {
          format:
            ' {bar} {percentage}% | {value}/{total} records | {failed} failed | {rate}/s | ETA {etaText} | {status}',
          hideCursor: true,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const started = Date.now();
  let barStarted = false;
  const draw = (
    e: Pick<SyncProgressEvent, 'recordsTotal' | 'recordsSynced' | 'recordsFailed' | 'status'>,
  ) => {
    if (!bar) return;
    const done = e.recordsSynced + e.recordsFailed;
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    const payload = {
      failed: e.recordsFailed,
      status: e.status,
      rate: Math.round(rate),
      etaText: etaText(Math.max(e.recordsTotal, done) - done, rate),
    };
    if (!barStarted) {
      bar.start(Math.max(e.recordsTotal, done), done, payload);
      barStarted = true;
    } else {
      bar.setTotal(Math.max(e.recordsTotal, done));
      bar.update(done, payload);
    }
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const subscription = client.syncs.progress.subscribe(
        { id },
        {
          onData(event) {
            draw(event);
            if (event.terminal) {
              subscription.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
  } catch (error) {
    // NOT_FOUND / FORBIDDEN / UNAUTHORIZED are answers, not a dropped stream: polling would only
    // ask the same question again.
    const status = (error as { data?: { httpStatus?: number } }).data?.httpStatus;
    if (status !== undefined && status >= 400 && status < 500) throw error;
    for (;;) {
      const log = await client.syncLogs.get.query({ id });
      draw(log);
      if (['success', 'partial', 'failed'].includes(log.status)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    bar?.stop();
  }
}
