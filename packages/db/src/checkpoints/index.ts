export {
  CheckpointConflictError,
  Checkpointer,
  DEFAULT_SIGNING_BOUND,
  signingBoundOf,
  withCheckpoints,
} from './checkpointer.js';
export { DEV_AUDIT_SIGNING_KEY_PATH, loadCheckpointSigner } from './load-signer.js';
export type { SignedCheckpoint } from './port.js';
export {
  CheckpointSigner,
  checkpointSignatureValid,
} from './signing.js';
export { verifyAgainstCheckpoint } from './verify.js';
