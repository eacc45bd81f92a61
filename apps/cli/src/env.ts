import { z } from 'zod';
import { readStoredLogin } from './config-file.js';
import { UsageError } from './exit-codes.js';

const schema = z.object({
  MEANDER_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MEANDER_TOKEN: z.string().trim().min(1).optional(),
});

const DEFAULT_API_URL = 'http://localhost:3000';

/** The CLI's settings from the environment (the only place it reads them); flags override them. */
export interface CliEnv {
  apiUrl: string;
  token?: string;
}

/**
 * Validate the environment; a bad value is a usage error (exit 2) that names the variable. What the
 * environment leaves out comes from `meander-sync login`'s file (see config-file.ts), then the default.
 */
export function readCliEnv(
  source: NodeJS.ProcessEnv = process.env,
  stored: () => { apiUrl: string; token: string } | undefined = () => readStoredLogin(),
): CliEnv {
  // An empty variable (`MEANDER_TOKEN= cmd`) is an unset one.
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new UsageError(`invalid environment: ${problems}`);
  }
  const login = parsed.data.MEANDER_API_URL && parsed.data.MEANDER_TOKEN ? undefined : stored();
  const token = parsed.data.MEANDER_TOKEN ?? login?.token;
  return {
    apiUrl: parsed.data.MEANDER_API_URL ?? login?.apiUrl ?? DEFAULT_API_URL,
    ...(token ? { token } : {}),
  };
}
