export {
  CheckpointConflictError,
  Checkpointer,
  type CheckpointLogger,
  DEFAULT_SIGNING_BOUND,
  type SigningBound,
  signingBoundOf,
  withCheckpoints,
} from './checkpointer.js';
export { DEV_AUDIT_SIGNING_KEY_PATH, loadCheckpointSigner } from './load-signer.js';
export type { CheckpointHead, CheckpointStore, SignedCheckpoint, SigningState } from './port.js';
export {
  CheckpointSigner,
  checkpointMessage,
  checkpointSignatureValid,
  type DeletionFacts,
  type DeletionSeal,
  deletionMessage,
  deletionSignatureValid,
  generateSigningKeyPem,
  keyIdOf,
} from './signing.js';
export {
  type AuditBreak,
  type AuditVerification,
  type CheckpointBreakKind,
  verifyAgainstCheckpoint,
} from './verify.js';
