/**
 * `@meander/accounting` — the accounting-system port and its adapters.
 *
 * - the port: {@link AccountingAdapter}, {@link BatchResult}, {@link AccountingError}
 * - {@link createAdapter}: the adapter for an organization's configured system
 * - {@link XledgerAdapter} (GraphQL) and {@link DynamicsAdapter} (Business Central API v2.0)
 * - the HTTP machinery they share: timeouts, retries with jittered backoff, `Retry-After`
 *
 * The emulators live under `@meander/accounting/emulators`.
 */
export * from './adapter-options.js';
export * from './connection-settings.js';
export * from './create-adapter.js';
export * from './decimal-amount.js';
export * from './dynamics/dynamics-adapter.js';
export * from './dynamics/dynamics-batch.js';
export * from './dynamics/dynamics-connection.js';
export * from './dynamics/dynamics-errors.js';
export * from './dynamics/dynamics-token-provider.js';
export * from './dynamics/external-document-number.js';
export * from './http/backoff.js';
export * from './http/clock.js';
export * from './http/http-request.js';
export * from './http/retry-after.js';
export * from './http/retry-budget.js';
export * from './http/retry-policy.js';
export * from './http/with-retries.js';
export * from './port.js';
export * from './rejections/index.js';
export * from './xledger/xledger-adapter.js';
export * from './xledger/xledger-connection.js';
export * from './xledger/xledger-documents.js';
export * from './xledger/xledger-errors.js';
