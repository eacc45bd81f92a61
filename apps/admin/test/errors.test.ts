import { describe, expect, it } from 'vitest';
import { describeError, issueSentences, isUnauthenticated } from '../src/lib/errors';

/** What a TRPCClientError looks like to the console: a message plus the API's `data`. */
function apiError(data: Record<string, unknown>, message = 'raw server message') {
  return Object.assign(new Error(message), { data });
}

describe('typed API errors as sentences', () => {
  it('turns a validation error into one sentence per field, from the rule', () => {
    const error = apiError({
      code: 'BAD_REQUEST',
      httpStatus: 400,
      domainCode: 'VALIDATION_FAILED',
      issues: [
        { rule: 'period_end_after_period_start', severity: 'error', path: ['periodEnd'], message: 'x' },
        { rule: 'schema', severity: 'error', path: ['organizationId'], message: 'Invalid UUID' },
        { rule: 'external_reference_id_format', severity: 'warning', path: [], message: 'ignored' },
      ],
    });
    expect(describeError(error)).toEqual({
      headline: 'Some values need fixing.',
      details: ['Period end: the end of the period must be after its start.', 'Organization: Invalid UUID.'],
    });
  });

  it.each([
    ['ACCOUNTING_MODULE_DISABLED', 412, /accounting module is disabled/],
    ['SYNC_ALREADY_ACTIVE', 409, /already running/],
    ['FORBIDDEN', 403, /not allowed/],
    ['NOT_FOUND', 404, /does not exist, or it belongs to an organization you cannot see/],
    ['RECORD_IMMUTABLE', 409, /cannot be changed/],
    ['DATABASE_UNAVAILABLE', 503, /database cannot be reached/],
  ])('explains %s in words, never the raw message', (domainCode, httpStatus, sentence) => {
    const { headline } = describeError(apiError({ domainCode, httpStatus }));
    expect(headline).toMatch(sentence);
    expect(headline).not.toContain('raw server message');
    expect(headline).not.toContain('{');
  });

  it('recognises an unauthenticated caller (the console then signs out)', () => {
    const error = apiError({ code: 'UNAUTHORIZED', httpStatus: 401, domainCode: 'UNAUTHENTICATED' });
    expect(isUnauthenticated(error)).toBe(true);
    expect(describeError(error).headline).toBe(
      'Your session has ended or the token is not valid. Sign in again.',
    );
    expect(isUnauthenticated(apiError({ code: 'FORBIDDEN', httpStatus: 403, domainCode: 'FORBIDDEN' }))).toBe(
      false,
    );
  });

  it('says the API is unreachable for a network failure, and is generic for the unknown', () => {
    expect(describeError(new TypeError('Failed to fetch')).headline).toMatch(/API cannot be reached/);
    expect(describeError(apiError({ httpStatus: 500, code: 'INTERNAL_SERVER_ERROR' })).headline).toMatch(
      /internal problem/,
    );
    expect(describeError({}).headline).toBe('Something went wrong. Try again.');
  });

  it('names unknown fields readably and keeps the sentence punctuation single', () => {
    expect(issueSentences([{ path: ['recordsTotal'], message: 'Too small.' }])).toEqual([
      'Records Total: Too small.',
    ]);
    expect(issueSentences([{ rule: 'organization_id_exists', path: [] }])).toEqual([
      'This organization does not exist.',
    ]);
  });
});
