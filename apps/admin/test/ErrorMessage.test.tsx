import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorMessage } from '../src/components/ErrorMessage';

afterEach(cleanup);

describe('<ErrorMessage>', () => {
  it('shows the sentences in an alert, not the JSON, and retries on demand', async () => {
    const error = Object.assign(new Error('{"issues":[…]}'), {
      data: {
        domainCode: 'VALIDATION_FAILED',
        issues: [
          { rule: 'period_end_after_period_start', severity: 'error', path: ['periodEnd'], message: 'm' },
        ],
      },
    });
    const retry = vi.fn();
    render(<ErrorMessage error={error} onRetry={retry} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Some values need fixing.');
    expect(alert.textContent).toContain('Period end: the end of the period must be after its start.');
    expect(alert.textContent).not.toContain('{');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
