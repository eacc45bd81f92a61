import { z } from 'zod';
import { type EmulatorFaults, emulatorFaultsSchema } from './faults.js';
import { DEFAULT_EMULATOR_PORT } from './server.js';

/** Start-up faults as JSON, e.g. `{"dynamics":{"throttle":3}}`: one entry per ledger, both optional. */
const faultsJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"dynamics":{"throttle":3}}' });
      return z.NEVER;
    }
  })
  .pipe(
    z.strictObject({ xledger: emulatorFaultsSchema.optional(), dynamics: emulatorFaultsSchema.optional() }),
  );

const schema = z.object({
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_EMULATOR_PORT),
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_FAULTS: faultsJson.optional(),
});

/** The emulators' settings, read and validated once (the only place they read process.env). */
export interface EmulatorEnv {
  port: number;
  host: string;
  faults?: { xledger?: EmulatorFaults; dynamics?: EmulatorFaults };
}

export function readEmulatorEnv(source: NodeJS.ProcessEnv = process.env): EmulatorEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid emulator environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    port: e.EMULATOR_PORT,
    host: e.EMULATOR_HOST,
    ...(e.EMULATOR_FAULTS
      ? {
          faults: {
            ...(e.EMULATOR_FAULTS.xledger ? { xledger: e.EMULATOR_FAULTS.xledger } : {}),
            ...(e.EMULATOR_FAULTS.dynamics ? { dynamics: e.EMULATOR_FAULTS.dynamics } : {}),
          },
        }
      : {}),
  };
}
