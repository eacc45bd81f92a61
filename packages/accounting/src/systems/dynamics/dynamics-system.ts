import { ACCOUNTING_SYSTEM_DESCRIPTIONS } from '@meander/domain';
import type { AccountingSystemModule } from '../accounting-system-module.js';
import { DynamicsAdapter } from './dynamics-adapter.js';
import { type DynamicsConnectionInput, dynamicsConnectionSchema } from './dynamics-connection.js';

/** Dynamics 365 Business Central (API v2.0): its adapter and connection settings. */
export const dynamicsSystem = {
  id: 'dynamics',
  label: ACCOUNTING_SYSTEM_DESCRIPTIONS.dynamics.label,
  connectionSchema: dynamicsConnectionSchema,
  // The adapter parses its own settings (and applies their defaults).
  createAdapter: (connection, options) =>
    new DynamicsAdapter((connection ?? {}) as DynamicsConnectionInput, options),
} as const satisfies AccountingSystemModule<'dynamics'>;
