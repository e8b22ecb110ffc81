import type { AlluxioConfiguration } from '../../conf/index.js';
import type { Logger } from '../../common/logging.js';
import { etcdOptionsFromConf, openMountStore, policyOptionsFromConf, ufsOptionsFromConf } from '../../client/from-conf.js';
import { WorkerRing } from '../../client/worker-ring.js';
import { createEtcdClient } from '../../membership/etcd-client.js';
import type { MembershipManager } from '../../membership/membership-manager.js';
import { Namespace } from '../../mount/namespace.js';
import { JobService } from './job-service.js';

export interface StartedJobs {
  service: JobService;
  close(): Promise<void>;
}

/**
 * The job service of a coordinator whose cluster keeps state in etcd (job records live there). Its
 * own ring (the owners of files) and namespace (mounts, watched) come from the same configuration.
 */
export async function startJobService(conf: AlluxioConfiguration, membership: MembershipManager, log: Logger, authorize: ((method: string, url: URL) => Record<string, string>) | undefined): Promise<StartedJobs> {
  const etcd = createEtcdClient(await etcdOptionsFromConf(conf));
  const namespace = await Namespace.open(await openMountStore(conf), ufsOptionsFromConf(conf));
  const ring = await WorkerRing.open(membership, conf.getEnum('alluxio.user.worker.selection.policy'), policyOptionsFromConf(conf), conf.getDuration('alluxio.user.worker.list.refresh.interval'));
  const service = new JobService({
    etcd, namespace, ring, log,
    clusterName: conf.getString('alluxio.cluster.name'),
    leaseTtlSeconds: Math.max(1, Math.ceil(conf.getDuration('alluxio.job.lease.ttl') / 1000)),
    batchSize: conf.getInt('alluxio.job.batch.size'),
    runner: {
      maxTasksPerWorker: conf.getInt('alluxio.job.max.tasks.per.worker'),
      retries: conf.getInt('alluxio.job.retries'),
      failurePercent: conf.getInt('alluxio.job.failure.percent.threshold'),
      unreachableMs: conf.getDuration('alluxio.job.worker.unreachable.timeout'),
      ...(authorize !== undefined ? { authorize } : {}),
    },
  });
  return {
    service,
    async close() {
      await service.close();
      ring.close();
      await namespace.close();
      etcd.close();
    },
  };
}
