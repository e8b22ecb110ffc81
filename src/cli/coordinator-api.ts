import { AlluxioError } from '../common/errors.js';
import { restAuthorizationFromConf } from '../client/from-conf.js';
import { httpOrigin } from '../common/protocol/index.js';
import { commandConf, type GlobalOptions } from './context.js';

/**
 * JSON calls to the coordinator's REST API (jobs, mounts, cluster), with the REST token of the
 * configuration. A coordinator that does not answer is an error that says where it was looked for.
 */
export interface CoordinatorApi {
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>;
}

export function coordinatorApi(g: GlobalOptions): CoordinatorApi {
  const conf = commandConf(g);
  const base = httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port'));
  const authorization = restAuthorizationFromConf(conf);
  const timeoutMs = Math.max(conf.getDuration('alluxio.user.network.connect.timeout'), 10_000);
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (authorization !== undefined) headers.authorization = authorization;
      let res: Response;
      try {
        res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `the coordinator at ${base} does not answer (${(err as Error).cause ? String((err as Error & { cause: Error }).cause.message) : (err as Error).message}): is it running? (alluxio process start coordinator)`);
      }
      const json = await res.json().catch(() => ({})) as Record<string, unknown>;
      if (!res.ok) {
        const code = typeof json.code === 'string' ? json.code : 'ALX_ERR_INTERNAL';
        throw new AlluxioError(code as ConstructorParameters<typeof AlluxioError>[0], typeof json.message === 'string' ? json.message : `${method} ${path} answered ${res.status}`);
      }
      return json as T;
    },
  };
}

/** Prints the job's progress once, or (watch) until it ends: a live line on a terminal, a line per change elsewhere. */
