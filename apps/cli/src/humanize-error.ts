import { TRPCClientError } from '@trpc/client';
import { CliError, EXIT } from './exit-codes.js';

interface ErrorData {
  domainCode?: string | null;
  httpStatus?: number;
  issues?: { rule: string; severity: string; path: (string | number)[]; message: string }[];
}

/** Walk an error's causes looking for a refused or unreachable connection. */
function isConnectionFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 6; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      [
        'ECONNREFUSED',
        'ENOTFOUND',
        'ECONNRESET',
        'EHOSTUNREACH',
        'ETIMEDOUT',
        'UND_ERR_CONNECT_TIMEOUT',
      ].includes(code)
    ) {
      return true;
    }
    if (e instanceof Error && e.message === 'fetch failed') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turn whatever the API answered into a sentence that says what happened and what to do, keeping
 * the domain code for `--json`. Clients branch on codes, never on messages; so does this.
 */
export function humanizeError(error: unknown, apiUrl: string): CliError {
  if (error instanceof CliError) return error;
  if (isConnectionFailure(error)) {
    return new CliError(
      `Could not reach the Meander API at ${apiUrl}. Is it running (pnpm start)? Set --api-url or MEANDER_API_URL to point elsewhere.`,
      EXIT.error,
      { domainCode: 'API_UNREACHABLE', apiUrl },
    );
  }
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? {}) as ErrorData;
    const code = data.domainCode ?? null;
    const issues = data.issues ?? [];
    const detail = issues.length
      ? `\n${issues.map((i) => `  • ${i.rule}${i.path.length ? ` (${i.path.join('.')})` : ''}: ${i.message}`).join('\n')}`
      : '';
    const sentence: Record<string, string> = {
      UNAUTHENTICATED: `The API refused the token (${error.message}). Pass --token or set MEANDER_TOKEN; pnpm start prints demo tokens.`,
      FORBIDDEN: `Not allowed: ${error.message}. Use a token whose role may do this (see the contract's roles).`,
      NOT_FOUND: `Not found: ${error.message}. Check the id, and that your token's organization owns it.`,
      ORGANIZATION_NOT_FOUND: `${error.message}. Check --org; organizations are created by a global admin (organizations.create).`,
      ACCOUNTING_MODULE_DISABLED: `${error.message} — enable it with organizations.configureAccounting (global admin) before exporting.`,
      SYNC_ALREADY_ACTIVE: `${error.message}. Wait for it to finish (meander-sync list --status in_progress) and try again.`,
      INVALID_STATUS_TRANSITION: `${error.message}.`,
      RECORD_IMMUTABLE: `${error.message}: finished syncs are audit records and never change.`,
      ERROR_DETAILS_REQUIRED: `${error.message}.`,
      IDEMPOTENCY_KEY_CONFLICT: `${error.message}. Use a new idempotency key for a different request.`,
      VALIDATION_FAILED: `The API refused the input.${detail}`,
      SYNC_NOT_REVERSIBLE: `${error.message}.${detail}`,
      SYNC_ALREADY_REVERSED: `${error.message}. If that reversal did not finish: meander-sync resync run <its id>.${detail}`,
    };
    const message = (code && sentence[code]) || `The API answered: ${error.message}${detail}`;
    // Input the API refuses is a usage error like input the CLI refuses: exit 2 either way.
    const usage = code === 'VALIDATION_FAILED' || data.httpStatus === 400;
    return new CliError(message, usage ? EXIT.usage : EXIT.error, {
      domainCode: code,
      httpStatus: data.httpStatus,
      message: error.message,
      issues,
    });
  }
  return new CliError(error instanceof Error ? error.message : String(error), EXIT.error);
}
