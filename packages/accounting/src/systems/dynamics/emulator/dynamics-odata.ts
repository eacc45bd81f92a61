import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../../../emulators/http-io.js';

export { plainEnum, wireEnum } from '../odata-enum.js';

/** An answer to one operation, direct or inside `$batch`. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One path segment: `name` or `name(key)`. */
export interface Segment {
  name: string;
  key?: string;
}

export function parsePath(path: string): Segment[] | null {
  const segments: Segment[] = [];
  for (const part of path.split('/')) {
    const m = /^([A-Za-z][\w.]*)(?:\(([^()]*)\))?$/.exec(part);
    if (!m) return null;
    const key = m[2]?.replace(/^'(.*)'$/, '$1');
    segments.push(key === undefined ? { name: m[1] ?? '' } : { name: m[1] ?? '', key });
  }
  return segments;
}

/**
 * The values a `$filter` asks for on one field (`field eq '…' or …`, or `field in (…)`); null when
 * the filter is outside the supported subset.
 */
export function parseKeyFilter(filter: string, field = 'externalDocumentNumber'): string[] | null {
  const literal = "'((?:[^']|'')*)'";
  const unquote = (s: string) => s.replaceAll("''", "'");
  const inForm = new RegExp(`^\\s*${field}\\s+in\\s+\\((.*)\\)\\s*$`, 'i').exec(filter);
  if (inForm) {
    const list = inForm[1] ?? '';
    const items = [...list.matchAll(new RegExp(`\\s*${literal}\\s*(,|$)`, 'g'))];
    const rebuilt = items.map((m) => m[0]).join('');
    if (rebuilt.trim() !== list.trim()) return null;
    return items.map((m) => unquote(m[1] ?? ''));
  }
  const clause = new RegExp(`\\s*${field}\\s+eq\\s+${literal}\\s*(?:or\\b|$)`, 'iy');
  const keys: string[] = [];
  clause.lastIndex = 0;
  while (clause.lastIndex < filter.length) {
    const m = clause.exec(filter);
    if (!m) return null;
    keys.push(unquote(m[1] ?? ''));
  }
  return keys.length > 0 ? keys : null;
}

export function collection(value: unknown[]): Answer {
  return { status: 200, body: { value } };
}

export function notFound(path: string): Answer {
  return {
    status: 404,
    body: odataError('BadRequest_NotFound', `The resource ${path.slice(0, 200)} was not found.`),
  };
}

export function methodNotAllowed(method: string, path: string): Answer {
  return {
    status: 405,
    body: odataError('BadRequest_MethodNotAllowed', `${method} is not allowed on ${path.slice(0, 200)}.`),
  };
}

export function unsupportedFilter(entitySet: string, field: string): Answer {
  return {
    status: 400,
    body: odataError(
      'BadRequest_InvalidFilter',
      `The emulator filters ${entitySet} by ${field} eq '…' (or …) or ${field} in (…) only.`,
    ),
  };
}

export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function odataError(code: string, message: string) {
  return { error: { code, message: `${message}  CorrelationId:  ${randomUUID()}.` } };
}

export function send(res: ServerResponse, answer: Answer): void {
  if (answer.status === 204) {
    res.writeHead(204, answer.headers ?? {});
    res.end();
    return;
  }
  sendJson(res, answer.status, answer.body ?? {}, answer.headers);
}

/**
 * What a `generalLedgerEntries` `$filter` asks for: clauses `documentNumber eq '…'` and
 * `startswith(description,'…')` joined by `or` (MS Learn "Using filter expressions in OData URIs"
 * lists `eq`, `or` and `startswith`). Null when the filter is outside that subset.
 */
export function parseEntryFilter(
  filter: string,
): { documentNumbers: string[]; descriptionPrefixes: string[] } | null {
  const literal = "'((?:[^']|'')*)'";
  const unquote = (s: string) => s.replaceAll("''", "'");
  const clause = new RegExp(
    `\\s*(?:documentNumber\\s+eq\\s+${literal}|startswith\\(\\s*description\\s*,\\s*${literal}\\s*\\))\\s*(?:or\\b|$)`,
    'iy',
  );
  const documentNumbers: string[] = [];
  const descriptionPrefixes: string[] = [];
  clause.lastIndex = 0;
  while (clause.lastIndex < filter.length) {
    const m = clause.exec(filter);
    if (!m) return null;
    if (m[1] !== undefined) documentNumbers.push(unquote(m[1]));
    else descriptionPrefixes.push(unquote(m[2] ?? ''));
  }
  return documentNumbers.length + descriptionPrefixes.length > 0
    ? { documentNumbers, descriptionPrefixes }
    : null;
}

/** One page of `items` (`$top`/`$skip`), with `@odata.nextLink` when more follow. */
export function page(
  items: readonly unknown[],
  maxPageSize: number,
  request: { path: string; search: URLSearchParams; apiBase: string },
): Answer {
  const { path, search, apiBase } = request;
  const skip = Math.max(0, Number(search.get('$skip') ?? 0) || 0);
  const top = Math.min(maxPageSize, Math.max(1, Number(search.get('$top') ?? maxPageSize) || 1));
  const body: Record<string, unknown> = { value: items.slice(skip, skip + top) };
  if (skip + top < items.length) {
    const next = new URLSearchParams(search);
    next.set('$skip', String(skip + top));
    body['@odata.nextLink'] = `${apiBase}${path}?${next.toString()}`;
  }
  return { status: 200, body };
}
