import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ProgressBar } from '../src/components/ProgressBar';
import { progressView } from '../src/lib/progress';

afterEach(cleanup);

const event = (over: Partial<Parameters<typeof progressView>[0]>) => ({
  status: 'in_progress',
  recordsTotal: 300,
  recordsSynced: 0,
  recordsFailed: 0,
  terminal: false,
  ...over,
});

describe('sync progress', () => {
  it('counts synced and rejected records against the total, rounding down', () => {
    expect(progressView(event({ recordsSynced: 100, recordsFailed: 1 }))).toEqual({
      percent: 33,
      label: '101 of 300 records processed, 1 rejected',
      tone: 'running',
    });
    expect(progressView(event({ recordsSynced: 299 })).percent).toBe(99);
  });

  it('is indeterminate while pending and complete when terminal', () => {
    expect(progressView(event({ status: 'pending' }))).toMatchObject({ percent: null, tone: 'waiting' });
    expect(progressView(event({ status: 'success', recordsSynced: 300, terminal: true }))).toEqual({
      percent: 100,
      label: 'Done: 300 of 300 records synced',
      tone: 'success',
    });
    expect(
      progressView(event({ status: 'partial', recordsSynced: 280, recordsFailed: 20, terminal: true })).label,
    ).toBe('Finished with rejections: 280 synced, 20 rejected');
    expect(progressView(event({ status: 'success', recordsTotal: 0, terminal: true })).percent).toBe(100);
  });

  it('never reports more than 100 % when counts overshoot the total', () => {
    expect(progressView(event({ recordsSynced: 310 })).percent).toBe(100);
  });

  it('renders an accessible progressbar whose value follows the events', () => {
    const { rerender } = render(<ProgressBar event={event({ recordsSynced: 30 })} label="Sync progress" />);
    const bar = screen.getByRole('progressbar', { name: 'Sync progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('10');
    expect(bar.getAttribute('aria-valuetext')).toBe('30 of 300 records processed');
    rerender(
      <ProgressBar
        event={event({ status: 'failed', recordsSynced: 150, terminal: true })}
        label="Sync progress"
      />,
    );
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    expect(screen.queryAllByText('Failed after 150 of 300 records')).toHaveLength(1);
    rerender(<ProgressBar event={event({ status: 'pending' })} label="Sync progress" />);
    expect(screen.getByRole('progressbar').hasAttribute('aria-valuenow')).toBe(false);
  });
});
