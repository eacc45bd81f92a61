import { z } from 'zod';
import { UsageError } from './exit-codes.js';

const schema = z.object({
  MEANDER_API_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('http://localhost:3000'),
  MEANDER_TOKEN: z.string().trim().min(1).optional(),
});

/** The CLI's settings from the environment (the only place it reads them); flags override them. */
export interface CliEnv {
  apiUrl: string;
  token?: string;
}

/** Validate the environment; a bad value is a usage error (exit 2) that names the variable. */
export function readCliEnv(source: NodeJS.ProcessEnv = process.env): CliEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new UsageError(`invalid environment: ${problems}`);
  }
  return {
    apiUrl: parsed.data.MEANDER_API_URL,
    ...(parsed.data.MEANDER_TOKEN ? { token: parsed.data.MEANDER_TOKEN } : {}),
  };
}
