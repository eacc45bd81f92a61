import { progressView } from '../lib/progress';

interface ProgressEvent {
  status: string;
  recordsTotal: number;
  recordsSynced: number;
  recordsFailed: number;
  terminal: boolean;
}

/** An accessible progress bar for one sync (`role="progressbar"`, text beside it, polite updates). */
export function ProgressBar({ event, label }: { event: ProgressEvent; label: string }) {
  const view = progressView(event);
  return (
    <div className={`progress progress-${view.tone}`}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        {...(view.percent === null ? {} : { 'aria-valuenow': view.percent })}
        aria-valuetext={view.label}
      >
        <div
          className={`progress-fill${view.percent === null ? ' progress-indeterminate' : ''}`}
          style={{ width: `${view.percent ?? 100}%` }}
        />
      </div>
      <p className="progress-text" aria-live="polite">
        {view.label}
      </p>
    </div>
  );
}
