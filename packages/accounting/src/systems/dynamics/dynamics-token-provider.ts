import type { AdapterRuntime } from '../../adapter-options.js';
import { sendHttp } from '../../http/http-request.js';
import { isObject, parseJsonBody } from '../../http/json-body.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { errorForStatus } from '../../http/status-error.js';
import { AccountingError } from '../../port.js';
import { BUSINESS_CENTRAL_SCOPE, type DynamicsConnection } from './dynamics-connection.js';

/** Renew this long before the token's stated expiry (less for very short-lived tokens). */
const EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  accessToken: string;
  /** Clock time after which the token is no longer used. */
  renewAt: number;
}

/**
 * OAuth 2.0 client-credentials tokens from Entra ID, cached until shortly before they expire.
 * Concurrent callers share one token request.
 */
export class DynamicsTokenProvider {
  private cached: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  /** Token requests made so far (for logs and tests). */
  requests = 0;

  constructor(
    private readonly connection: DynamicsConnection,
    private readonly runtime: AdapterRuntime,
  ) {}

  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.runtime.clock.now() < this.cached.renewAt) return this.cached.accessToken;
    this.inflight ??= this.fetchToken(signal).finally(() => {
      this.inflight = undefined;
    });
    this.cached = await this.inflight;
    return this.cached.accessToken;
  }

  /** Forget `accessToken` (the API refused it) so the next call fetches a fresh one. */
  invalidate(accessToken: string): void {
    if (this.cached?.accessToken === accessToken) this.cached = undefined;
  }

  private async fetchToken(signal: AbortSignal | undefined): Promise<CachedToken> {
    this.requests += 1;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.connection.clientId,
      client_secret: this.connection.clientSecret,
      scope: this.connection.scope ?? BUSINESS_CENTRAL_SCOPE,
    });
    const startedAt = this.runtime.clock.now();
    const response = await sendHttp(
      {
        url: this.connection.tokenUrl,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        write: false,
      },
      this.runtime.transport,
      signal,
    );
    if (response.status !== 200) throw this.tokenError(response.status, response.body, response.headers);
    const body = parseJsonBody(response.body, { status: response.status, write: false });
    const accessToken = isObject(body) ? body.access_token : undefined;
    const expiresIn = isObject(body) ? Number(body.expires_in) : Number.NaN;
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn)) {
      throw new AccountingError('The token endpoint answered without access_token and expires_in', {
        code: 'MALFORMED_RESPONSE',
        category: 'unknown',
        retryable: true,
        httpStatus: response.status,
      });
    }
    const lifetimeMs = Math.max(0, expiresIn * 1000);
    return { accessToken, renewAt: startedAt + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10) };
  }

  /** Entra ID answers `{"error","error_description","correlation_id"}`; a refused client is an auth failure. */
  private tokenError(status: number, text: string, headers: Headers): AccountingError {
    let code = '';
    let description = '';
    let correlationId: string | undefined;
    try {
      const body: unknown = JSON.parse(text);
      if (isObject(body)) {
        code = typeof body.error === 'string' ? body.error : '';
        description = typeof body.error_description === 'string' ? body.error_description : '';
        correlationId = typeof body.correlation_id === 'string' ? body.correlation_id : undefined;
      }
    } catch {
      // Not JSON: the status alone decides.
    }
    const message = `Token request refused: ${description || code || `HTTP ${status}`}`;
    const details = {
      httpStatus: status,
      ...(code ? { providerCode: code } : {}),
      ...(correlationId ? { correlationId } : {}),
    };
    if (
      ['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope'].includes(code) ||
      status === 401
    ) {
      return new AccountingError(message, {
        ...details,
        code: code || 'AUTH_FAILED',
        category: 'auth',
        retryable: false,
      });
    }
    if (code === 'invalid_request') {
      return new AccountingError(message, { ...details, code, category: 'configuration', retryable: false });
    }
    return errorForStatus({
      status,
      write: false,
      message,
      ...details,
      retryAfterMs: parseRetryAfter(headers.get('retry-after'), this.runtime.clock.now()),
    });
  }
}
