import { AlluxioError } from '../common/errors.js';

/**
 * etcd could not be reached (or refused us) for an operation. The message names the endpoints and
 * the user, never the password. Code ALX_ERR_ETCD_UNAVAILABLE (HTTP 503).
 */
export class EtcdUnavailableError extends AlluxioError {
  constructor(what: string, where: string, cause: unknown) {
    super('ALX_ERR_ETCD_UNAVAILABLE', `${what} failed: ${where} unreachable or refused the request (${causeText(cause)})`, { cause });
    this.name = 'EtcdUnavailableError';
  }
}

/** A short cause for messages: the error's class and message, nothing from the client's options. */
export function causeText(err: unknown): string {
  if (err instanceof Error) return `${err.constructor?.name ?? err.name}: ${err.message}`;
  return String(err);
}
