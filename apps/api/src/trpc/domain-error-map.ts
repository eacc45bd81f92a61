import type { DomainErrorCode } from '@meander/domain';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/** The contract's table: each domain code and the tRPC code (hence HTTP status) it travels as. */
export const TRPC_CODE_OF: Readonly<Record<DomainErrorCode, TRPC_ERROR_CODE_KEY>> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  ORGANIZATION_NOT_FOUND: 'NOT_FOUND',
  ACCOUNTING_MODULE_DISABLED: 'PRECONDITION_FAILED',
  SYNC_ALREADY_ACTIVE: 'CONFLICT',
  INVALID_STATUS_TRANSITION: 'CONFLICT',
  RECORD_IMMUTABLE: 'CONFLICT',
  ERROR_DETAILS_REQUIRED: 'BAD_REQUEST',
  IDEMPOTENCY_KEY_CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  LEASE_LOST: 'CONFLICT',
};
