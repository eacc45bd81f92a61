export {
  CredentialCipher,
  CredentialsError,
  credentialsKeyId,
  isSealed,
  openStoredConnection,
  parseCredentialsKey,
  SEALED_FIELD,
  sealedKeyId,
} from './cipher.js';
export { DEV_CREDENTIALS_KEY_PATH, loadCredentialCipher } from './load.js';
export { rotateCredentials } from './rotate.js';
export { Keyring, SEAL_PURPOSES, SealError, type SealPurpose } from './sealing.js';
export { withCredentials } from './with-credentials.js';
