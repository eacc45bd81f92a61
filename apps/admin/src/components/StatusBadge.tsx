import { STATUS_LABELS } from '../lib/format';
import { HEALTH_LABELS, type HealthState } from '../lib/health';

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{STATUS_LABELS[status] ?? status}</span>;
}

export function HealthBadge({ state }: { state: HealthState }) {
  return <span className={`badge health-${state}`}>{HEALTH_LABELS[state]}</span>;
}
