import { join } from 'node:path';
import type { AlluxioConfiguration } from '../conf/index.js';

/**
 * The worker's own directory for state that is not cache pages (staged multipart uploads, the
 * record of in-flight UFS temp files): `state/` in its first page-store directory, which no other
 * worker uses and which the page store's own scan (of `LOCAL/` only) leaves alone. Created 0700 by
 * whoever writes below it.
 */
export function workerStateDir(conf: AlluxioConfiguration): string {
  return join(conf.getList('alluxio.worker.page.store.dirs')[0]!, 'state');
}
