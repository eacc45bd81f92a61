export {
  CredentialCipher,
  CredentialsError,
  credentialsKeyId,
  openStoredConnection,
  parseCredentialsKey,
  SEALED_FIELD,
  sealedKeyId,
} from './cipher.js';
export { DEV_CREDENTIALS_KEY_PATH, loadCredentialCipher } from './load.js';
export { rotateCredentials } from './rotate.js';
export { withCredentials } from './with-credentials.js';
