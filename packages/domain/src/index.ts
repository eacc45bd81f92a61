/**
 * `@meander/domain` — the rules of the Meander accounting sync log, pure and I/O-free.
 *
 * - enums and predicates: {@link SYNC_STATUSES}, {@link isTerminalStatus}, …
 * - what each accounting system is, without I/O: {@link ACCOUNTING_SYSTEM_DESCRIPTIONS}
 * - the entity and command schemas (zod): {@link syncLogSchema}, {@link createSyncLogCommandSchema}, …
 * - the status machine: {@link canTransition}
 * - the spec's validation rules (`check*`) and business rules (`assert*`, {@link decideCompletion})
 * - the lifecycle as pure decisions: {@link planCreate}, {@link planStart}, {@link planComplete}, …
 * - the access policy: {@link authorize}
 * - one error type: {@link DomainError}
 */
export * from './accounting-module.js';
export * from './accounting-systems.js';
export * from './api-responses.js';
export * from './canonical-json.js';
export * from './commands.js';
export * from './csv.js';
export * from './datetime.js';
export * from './display-text.js';
export * from './enums.js';
export * from './error-details.js';
export * from './errors.js';
export * from './exchange-rate.js';
export * from './expense-record-input.js';
export * from './export-record.js';
export * from './failure-category.js';
export * from './health.js';
export * from './lifecycle.js';
export * from './payload-summary.js';
export * from './payload-summary-builder.js';
export * from './policy.js';
export * from './rejection-category.js';
export * from './reversal.js';
export * from './rules/accounting-module-must-be-enabled.js';
export * from './rules/completed-at-after-started-at.js';
export * from './rules/external-reference-id-format.js';
export * from './rules/failed-sync-retains-error-details.js';
export * from './rules/immutable-on-terminal-status.js';
export * from './rules/one-active-sync-per-organization.js';
export * from './rules/organization-id-exists.js';
export * from './rules/period-end-after-period-start.js';
export * from './rules/period-span-bounded.js';
export * from './rules/records-count-consistency.js';
export * from './rules/records-counts-non-negative.js';
export * from './rules/records-progress-bounded.js';
export * from './rules/valid-status-transition.js';
export * from './status-machine.js';
export * from './sync-log.js';
export * from './time-zone.js';
export * from './unverified-postings.js';
export * from './uuid.js';
