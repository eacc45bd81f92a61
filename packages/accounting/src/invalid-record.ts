import { type ExportRecord, exportRecordProblem } from '@meander/domain';
import type { RejectedRecord } from './port.js';

/**
 * The rejection of a record that is not a valid {@link ExportRecord} (`INVALID_RECORD`, the reason
 * naming each field and rule), or `undefined` for a valid one. Such a record is never sent.
 */
export function invalidRecordRejection(record: ExportRecord): RejectedRecord | undefined {
  const problem = exportRecordProblem(record);
  if (problem === undefined) return undefined;
  return {
    recordId: record.id,
    code: 'INVALID_RECORD',
    category: 'validation',
    retryable: false,
    reason: problem,
  };
}
