import { formatZonedDateTime, periodLabel, type SyncLog } from '@meander/domain';
import type { OrganizationInfo } from '../organizations.js';
import { failureHeadline } from './failure-name.js';
import { formatMoney } from './money.js';
import { statusText, style } from './style.js';
import { userLabel, type Viewer } from './user-label.js';

const duration = (log: Pick<SyncLog, 'startedAt' | 'completedAt'>) =>
  log.completedAt
    ? `${((Date.parse(log.completedAt) - Date.parse(log.startedAt)) / 1000).toFixed(1)} s`
    : '—';

/** How a view reads: the organization (name and zone) and the locale for money. */
export interface ViewSettings {
  organization: OrganizationInfo;
  locale: string;
  /** The token's user, shown by name where a record names them. */
  viewer?: Viewer;
  /** The API's explained rejections (`rejections.list`): each record named by its catalogue code. */
  explained?: readonly { recordId: string; code: string; category: string }[];
}

/** One sync log, readable: the fields in the organization's zone, then what went wrong record by record. */
export function renderSyncLog(log: SyncLog, view: ViewSettings): string {
  const zone = view.organization.timeZone;
  const at = (instant: string | null) => (instant ? formatZonedDateTime(instant, zone) : '—');
  const names = new Map((view.explained ?? []).map((e) => [e.recordId, `${e.code} (${e.category})`]));
  const lines = [
    `${style.bold('Sync')} ${log.id}  ${statusText(log.status)}`,
    `  organization   ${view.organization.name}${view.organization.name === log.organizationId ? '' : ` (${log.organizationId})`}`,
    `  system / type  ${log.accountingSystem} / ${log.syncType}${log.triggeredBy ? ` (by ${userLabel(log.triggeredBy, view.viewer)})` : ''}`,
    `  period         ${periodLabel(log.periodStart, log.periodEnd, zone)} (${at(log.periodStart)} → ${at(log.periodEnd)})`,
    `  records        ${log.recordsSynced} synced, ${log.recordsFailed} failed, ${log.recordsTotal} selected`,
    `  reference      ${log.externalReferenceId ?? '—'}`,
    `  started        ${at(log.startedAt)}`,
    `  completed      ${at(log.completedAt)} (${duration(log)})`,
  ];
  const summary = log.payloadSummary;
  if (summary) {
    const total =
      summary.totalAmountMinor !== undefined && summary.currency
        ? `, total ${formatMoney(summary.totalAmountMinor, summary.currency, view.locale)}`
        : '';
    lines.push(
      `  payload        ${summary.recordCount ?? summary.recordIds?.length ?? 0} records${total}, format v${summary.formatVersion}`,
    );
    if (summary.parentSyncId) lines.push(`  re-sync of     ${summary.parentSyncId}`);
    if (summary.confirmedUnposted)
      lines.push(
        `  confirmed      postings not found are not in the ledger (by ${log.triggeredBy ? userLabel(log.triggeredBy, view.viewer) : '—'})`,
      );
    if (summary.ledgerRequests)
      lines.push(
        `  ledger calls   ${summary.ledgerRequests.reads + summary.ledgerRequests.writes} (${summary.ledgerRequests.reads} reads, ${summary.ledgerRequests.writes} writes)`,
      );
  }
  const details = log.errorDetails;
  if (details) {
    lines.push(
      '',
      `${style.bold('Error details')}  ${failureHeadline(details)}${details.retryable ? ', retryable' : ''}`,
    );
    lines.push(`  ${details.message}`);
    if (details.catalogCode && details.catalogCode !== details.code)
      lines.push(`  ledger code    ${details.code}`);
    if (details.providerCode) lines.push(`  provider code  ${details.providerCode}`);
    if (details.correlationId) lines.push(`  correlation    ${details.correlationId}`);
    const failures = details.recordFailures ?? [];
    if (failures.length) {
      lines.push(
        `  rejected records (${failures.length}${details.recordFailuresTruncated ? '+, truncated' : ''}):`,
      );
      for (const f of failures.slice(0, 50))
        lines.push(
          `    ${f.recordId}  ${style.yellow(names.get(f.recordId) ?? failureHeadline(f))}  ${f.reason}`,
        );
      if (failures.length > 50) lines.push(`    … ${failures.length - 50} more (use --json for all)`);
    }
    for (const w of details.warnings ?? [])
      lines.push(`  ${style.yellow('warning')} ${w.rule}: ${w.message}`);
  }
  return lines.join('\n');
}
