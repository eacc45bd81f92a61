import type { AccountingSystem } from '@meander/domain';
import { z } from 'zod';
import { AccountingError } from './port.js';

/** An http(s) URL; trailing slashes are dropped so paths can be appended. */
export const httpUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .transform((u) => u.replace(/\/+$/, ''));

/** A non-empty setting (secrets included: only their absence is ever reported, never their value). */
export const requiredText = z.string().trim().min(1, 'is required');

/**
 * Read an organization's connection settings for `system`, or throw a `configuration` error that
 * names every missing or malformed key (values are never echoed: some are secrets).
 */
export function parseConnection<T extends z.ZodType>(
  system: AccountingSystem,
  schema: T,
  connection: unknown,
): z.infer<T> {
  const settings: unknown = connection ?? {};
  const parsed = schema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const present = typeof settings === 'object' && settings !== null ? Object.keys(settings) : [];
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(connection)';
    const missing = issue.path.length === 1 && !present.includes(String(issue.path[0]));
    return missing ? `${key} is missing` : `${key} ${issue.message}`;
  });
  throw new AccountingError(`The ${system} connection settings are incomplete: ${problems.join('; ')}`, {
    code: 'INVALID_CONNECTION',
    category: 'configuration',
    retryable: false,
  });
}
