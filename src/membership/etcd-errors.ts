import { AlluxioError, causeText } from '../common/errors.js';

export { causeText };

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

