import type { AdapterRuntime } from '../../adapter-options.js';
import { sendHttp } from '../../http/http-request.js';
import { isObject, parseJsonBody } from '../../http/json-body.js';
import { parseRetryAfter } from '../../http/retry-after.js';
import { errorForStatus } from '../../http/status-error.js';
import { AccountingError } from '../../port.js';
import type { XledgerConnection } from './xledger-connection.js';
import {
  type GraphQlError,
  graphQlErrorCode,
  readGraphQlErrors,
  requestLevelError,
} from './xledger-errors.js';

/** A GraphQL answer whose request-level errors were already thrown: `errors` concern single items. */
export interface GraphQlResult {
  data: Record<string, unknown> | null;
  errors: GraphQlError[];
}

/** One GraphQL round trip to Xledger, with its failures typed. No retries here: the adapter owns them. */
export class XledgerClient {
  constructor(
    private readonly connection: XledgerConnection,
    private readonly runtime: AdapterRuntime,
  ) {}

  async execute(
    query: string,
    variables: Record<string, unknown>,
    options: { write: boolean; signal?: AbortSignal | undefined },
  ): Promise<GraphQlResult> {
    const { write } = options;
    const response = await sendHttp(
      {
        url: this.connection.baseUrl,
        method: 'POST',
        headers: {
          authorization: `token ${this.connection.apiToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify({ query, variables }),
        write,
      },
      this.runtime.transport,
      options.signal,
    );
    const context = {
      write,
      rateLimitDelayMs: this.runtime.policy.rateLimitDelayMs,
      httpStatus: response.status,
    };

    if (response.status !== 200) {
      // Xledger puts GraphQL errors in some non-200 answers too (a bad token); they say more than the status.
      const errors = tryReadErrors(response.body);
      for (const error of errors) {
        const typed = requestLevelError(error, context);
        if (typed) throw typed;
      }
      throw errorForStatus({
        status: response.status,
        write,
        message: errors[0]?.message || `Xledger answered HTTP ${response.status}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.runtime.clock.now()),
      });
    }

    const body = parseJsonBody(response.body, { status: response.status, write });
    if (!isObject(body) || (!('data' in body) && !('errors' in body))) {
      throw new AccountingError('Xledger answered without data or errors', {
        code: 'MALFORMED_RESPONSE',
        category: 'unknown',
        retryable: true,
        httpStatus: response.status,
        outcomeUnknown: write,
      });
    }
    const errors = readGraphQlErrors(body.errors);
    for (const error of errors) {
      const typed = requestLevelError(error, context);
      if (typed) throw typed;
    }
    if (!('data' in body) && errors.length > 0) {
      // A request error (GraphQL spec §7.1.2: no `data` entry): the document failed to parse or
      // validate, or its variables did not coerce — nothing ran, and sending it again cannot help.
      throw new AccountingError(`Xledger refused the request: ${errors.map((e) => e.message).join(' | ')}`, {
        code: graphQlErrorCode(errors[0] as GraphQlError) || 'QUERY_REJECTED',
        category: 'configuration',
        retryable: false,
        httpStatus: response.status,
      });
    }
    return { data: isObject(body.data) ? body.data : null, errors };
  }
}

function tryReadErrors(body: string): GraphQlError[] {
  try {
    const parsed: unknown = JSON.parse(body);
    return isObject(parsed) ? readGraphQlErrors(parsed.errors) : [];
  } catch {
    return [];
  }
}
