import { ACCOUNTING_SYSTEM_DESCRIPTIONS } from '@meander/domain';
import { parseConnection } from '../../connection-settings.js';
import type { AccountingSystemModule } from '../accounting-system-module.js';
import { XledgerAdapter } from './xledger-adapter.js';
import { xledgerConnectionSchema } from './xledger-connection.js';

/** Xledger (GraphQL): its adapter and connection settings. */
export const xledgerSystem = {
  id: 'xledger',
  label: ACCOUNTING_SYSTEM_DESCRIPTIONS.xledger.label,
  connectionSchema: xledgerConnectionSchema,
  createAdapter: (connection, options) =>
    new XledgerAdapter(parseConnection('xledger', xledgerConnectionSchema, connection), options),
} as const satisfies AccountingSystemModule<'xledger'>;
