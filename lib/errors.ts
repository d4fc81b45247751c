/**
 * Stable error codes. Scripts may switch on them; they never change meaning.
 *
 * - `E_SPEC_INVALID`: the image spec (or a CLI flag) is wrong; `path` names the field.
 * - `E_SPEC_READ`: image.json could not be read or parsed.
 * - `E_PACKER_MISSING` / `E_PACKER_VERSION`: packer is absent or too old/new.
 * - `E_PACKER_VALIDATE` / `E_PACKER_BUILD` / `E_PACKER_INIT`: packer refused or failed.
 * - `E_RENDER`: a provisioner template could not be rendered (e.g. a missing key).
 * - `E_BASE`: the base disk could not be made or fetched.
 * - `E_CANCELLED`: the caller aborted the build.
 * - `E_LOCK_MISMATCH`: boxwright.lock.json no longer matches the inputs.
 * - `E_CHECKSUM`: a file's sha256 differs from the expected one.
 * - `E_PUBLISH` / `E_PUBLISH_CONFLICT` / `E_REGISTRY_HTTP`: publishing failed.
 * - `E_CHECK_FAILED`: a built box failed its boot check (HTTP through the stack, in-image checks).
 * - `E_HOST`: the host lacks a tool or a permission the job needs.
 * - `E_BUSY`: another process holds the mutex of a shared folder (catalog, cache) and waiting was not asked for.
 * - `E_LAB`: the lab in the folder is not running or not reachable (`vagrant ssh-config`, SSH).
 * - `E_DEPLOY`: a deploy (or a rollback) failed on a machine; the machine went back to its previous release.
 */
export type ErrorCode =
  | 'E_SPEC_INVALID'
  | 'E_SPEC_READ'
  | 'E_PACKER_MISSING'
  | 'E_PACKER_VERSION'
  | 'E_PACKER_INIT'
  | 'E_PACKER_VALIDATE'
  | 'E_PACKER_BUILD'
  | 'E_RENDER'
  | 'E_BASE'
  | 'E_CANCELLED'
  | 'E_LOCK_MISMATCH'
  | 'E_CHECKSUM'
  | 'E_PUBLISH'
  | 'E_PUBLISH_CONFLICT'
  | 'E_REGISTRY_HTTP'
  | 'E_HOST'
  | 'E_BUSY'
  | 'E_CHECK_FAILED'
  | 'E_LAB'
  | 'E_DEPLOY'
  | 'E_USAGE';

/** Options of a {@link BoxwrightError}. */
export interface BoxwrightErrorOptions {
  /** Dotted path of the offending field, e.g. `app.port`. */
  path?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of Boxwright: a stable `code`, a message that says what to do,
 * the field `path` where input was wrong, and the original error as `cause`.
 */
export class BoxwrightError extends Error {
  override readonly name = 'BoxwrightError';
  readonly code: ErrorCode;
  readonly path?: string;

  constructor(code: ErrorCode, message: string, options: BoxwrightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.path !== undefined) this.path = options.path;
  }
}

/** True when `error` is a {@link BoxwrightError}, optionally with the given code. */
export function isBoxwrightError(error: unknown, code?: ErrorCode): error is BoxwrightError {
  return error instanceof BoxwrightError && (code === undefined || error.code === code);
}

/** Exit code of the CLI for an error: 2 for bad input or usage, 130 for cancel, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  if (isBoxwrightError(error, 'E_SPEC_INVALID') || isBoxwrightError(error, 'E_SPEC_READ') || isBoxwrightError(error, 'E_USAGE')) return 2;
  if (isBoxwrightError(error, 'E_CANCELLED')) return 130;
  return 1;
}
