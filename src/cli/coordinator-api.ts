import { AlluxioError } from '../common/errors.js';
import { restAuthorizationFromConf } from '../client/from-conf.js';
import { httpCall, type HttpAnswer } from '../common/protocol/http-json.js';
import type { HttpMethod } from '../common/protocol/http-transport.js';
import { httpOrigin } from '../common/protocol/url.js';
import { commandConf, type GlobalOptions } from './context.js';

/**
 * JSON calls to the coordinator's REST API (jobs, mounts, cluster), with the REST token of the
 * configuration. A coordinator that does not answer is an error that says where it was looked for.
 */
export interface CoordinatorApi {
  call<T = Record<string, unknown>>(method: HttpMethod, path: string, body?: unknown): Promise<T>;
}

export function coordinatorApi(g: GlobalOptions): CoordinatorApi {
  const conf = commandConf(g);
  const base = httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port'));
  const authorization = restAuthorizationFromConf(conf);
  const timeoutMs = Math.max(conf.getDuration('alluxio.user.network.connect.timeout'), 10_000);
  return {
    async call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
      let res: HttpAnswer;
      try {
        res = await httpCall(base + path, { method, ...(authorization !== undefined ? { headers: { authorization } } : {}), body, timeoutMs });
      } catch (err) {
        throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `the coordinator at ${base} does not answer (${(err as Error).message}): is it running? (alluxio process start coordinator)`);
      }
      const json = (res.json ?? {}) as Record<string, unknown>;
      if (res.status >= 300) {
        const code = typeof json.code === 'string' ? json.code : 'ALX_ERR_INTERNAL';
        throw new AlluxioError(code as ConstructorParameters<typeof AlluxioError>[0], typeof json.message === 'string' ? json.message : `${method} ${path} answered ${res.status}`);
      }
      return json as T;
    },
  };
}
