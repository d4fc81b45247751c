/**
 * `boxwright.lock.json`: every input of a build (base, packer, the guest's Node.js, the app)
 * resolved to an exact value without building anything; compared before a build.
 */
export { resolveLock, ubuntuBaseLock, DEBIAN_MIRROR, UBUNTU_NODEJS_UNKNOWN } from './resolve.js';
export { writeLock, readLock, lockPath, lockText, canonical } from './file.js';
export { compareLock, formatMismatch } from './compare.js';
export { checkLock, lockMismatchError, type LockMismatchDetails } from './check.js';
export { parseReleaseDate, fetchReleaseDate, releaseUrl } from './release.js';
export { aptCandidate, debianGuestSources, parsePolicyCandidate, DEBIAN_ARCHIVE_KEYRING, type AptCandidateOptions } from './apt.js';
export {
  LOCK_FILE, LOCK_FORMAT,
  type Lock, type LockMismatch, type ResolveLockOptions, type BaseLock, type MirrorBaseLock, type CloudImageBaseLock, type CustomBaseLock,
} from './types.js';
