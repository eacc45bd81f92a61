import { ACCOUNTING_SYSTEMS, type AccountingSystem } from '@meander/domain';
import { z } from 'zod';
import { type EmulatorFaults, emulatorFaultsSchema } from './faults.js';
import { DEFAULT_EMULATOR_PORT } from './server.js';

/** Start-up faults as JSON, e.g. `{"dynamics":{"throttle":3}}`: one optional entry per accounting system. */
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
    z.strictObject(
      Object.fromEntries(
        ACCOUNTING_SYSTEMS.map((system) => [system, emulatorFaultsSchema.optional()]),
      ) as Record<AccountingSystem, z.ZodOptional<typeof emulatorFaultsSchema>>,
    ),
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
  faults?: Partial<Record<AccountingSystem, EmulatorFaults>>;
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
          faults: Object.fromEntries(
            Object.entries(e.EMULATOR_FAULTS).filter(([, faults]) => faults !== undefined),
          ) as Partial<Record<AccountingSystem, EmulatorFaults>>,
        }
      : {}),
  };
}
