/**
 * `@meander/accounting` — the accounting-system port and its adapters.
 *
 * - the port: {@link AccountingAdapter}, {@link BatchResult}, {@link AccountingError}
 * - {@link createAdapter}: the adapter for an organization's configured system
 * - {@link ACCOUNTING_SYSTEM_MODULES}: one {@link AccountingSystemModule} per accounting system
 * - {@link XledgerAdapter} (GraphQL) and {@link DynamicsAdapter} (Business Central API v2.0)
 * - the HTTP machinery they share: timeouts, retries with jittered backoff, `Retry-After`
 *
 * The emulators live under `@meander/accounting/emulators`.
 */
export * from './adapter-options.js';
export * from './connection-settings.js';
export * from './create-adapter.js';
export * from './decimal-amount.js';
export * from './demo-posting-settings.js';
export * from './http/backoff.js';
export * from './http/clock.js';
export * from './http/http-request.js';
export * from './http/request-gate.js';
export * from './http/retry-after.js';
export * from './http/retry-budget.js';
export * from './http/retry-policy.js';
export * from './http/with-retries.js';
export * from './port.js';
export * from './rejections/index.js';
export * from './systems/accounting-system-module.js';
export * from './systems/dynamics/dynamics-adapter.js';
export * from './systems/dynamics/dynamics-batch.js';
export * from './systems/dynamics/dynamics-connection.js';
export * from './systems/dynamics/dynamics-errors.js';
export * from './systems/dynamics/dynamics-system.js';
export * from './systems/dynamics/dynamics-token-provider.js';
export * from './systems/dynamics/external-document-number.js';
export * from './systems/registry.js';
export * from './systems/xledger/xledger-adapter.js';
export * from './systems/xledger/xledger-connection.js';
export * from './systems/xledger/xledger-documents.js';
export * from './systems/xledger/xledger-errors.js';
export * from './systems/xledger/xledger-system.js';
export * from './systems/xledger/xledger-voucher.js';
export * from './telemetry/sdk.js';
export * from './telemetry/tracing.js';
