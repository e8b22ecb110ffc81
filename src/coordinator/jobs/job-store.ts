import type { Etcd3, Lease } from 'etcd3';
import type { Logger } from '../../common/logging.js';
import type { JobRecord } from './job-types.js';

/** Where jobs live in etcd (DESIGN.md §9; the etcd role of docs/security.md grants this prefix). */
export const JOBS_PREFIX = '/alluxio/jobs/';

/**
 * Job records in etcd: `job/<id>` the record, `lock/<id>` the coordinator running it (a key under
 * this coordinator's lease, so a killed coordinator's jobs free up when the lease expires),
 * `stop/<id>` a stop request. Writes of a running job are conditional on holding its lock: a
 * coordinator that lost its lease can never overwrite the progress of the one that took over.
 */
export class JobStore {
  private readonly dir: string;
  private lease: Lease | undefined;
  private leaseLost = false;

  constructor(private readonly client: Etcd3, clusterName: string, readonly ownerId: string, private readonly ttlSeconds: number, private readonly log?: Logger) {
    this.dir = `${JOBS_PREFIX}${clusterName}/`;
  }

  private jobKey(id: string): string { return `${this.dir}job/${id}`; }
  private lockKey(id: string): string { return `${this.dir}lock/${id}`; }
  private stopKey(id: string): string { return `${this.dir}stop/${id}`; }

  async get(id: string): Promise<{ record: JobRecord; modRevision: string } | undefined> {
    const res = await this.client.get(this.jobKey(id)).exec();
    const kv = res.kvs[0];
    if (!kv) return undefined;
    return { record: JSON.parse(kv.value.toString('utf8')) as JobRecord, modRevision: kv.mod_revision };
  }

  async list(): Promise<JobRecord[]> {
    const all = await this.client.getAll().prefix(`${this.dir}job/`).strings();
    return Object.values(all).map((v) => JSON.parse(v) as JobRecord).sort((a, b) => a.startTimeMs - b.startTimeMs);
  }

  /**
   * Stores a new job unless the key changed since it was read (modRevision '0': it did not exist),
   * so two submits racing on two coordinators start it once. Clears an old stop request.
   */
  async create(r: JobRecord, modRevision: string): Promise<boolean> {
    const key = this.jobKey(r.jobId);
    const res = await this.client.if(key, 'Mod', '==', Number(modRevision))
      .then(this.client.put(key).value(JSON.stringify(r)), this.client.delete().key(this.stopKey(r.jobId)))
      .commit();
    return res.succeeded;
  }

  /** Takes the job's lock under this coordinator's lease; false when another coordinator holds it. */
  async acquire(id: string): Promise<boolean> {
    const leaseId = await this.leaseId();
    const key = this.lockKey(id);
    const res = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(this.ownerId).lease(leaseId)).commit();
    if (res.succeeded) return true;
    // Our own lock from before (a runner that ended without releasing it) counts as held.
    return (await this.client.get(key).string()) === this.ownerId;
  }

  async release(id: string): Promise<void> {
    const key = this.lockKey(id);
    await this.client.if(key, 'Value', '==', this.ownerId).then(this.client.delete().key(key)).commit();
  }

  /** Whether some coordinator holds the job's lock now. */
  async locked(id: string): Promise<boolean> {
    return (await this.client.get(this.lockKey(id)).string()) !== null;
  }

  /** Writes the record if this coordinator still holds the job's lock; false when it lost it. */
  async write(r: JobRecord): Promise<boolean> {
    if (this.leaseLost) return false;
    const res = await this.client.if(this.lockKey(r.jobId), 'Value', '==', this.ownerId)
      .then(this.client.put(this.jobKey(r.jobId)).value(JSON.stringify(r)))
      .commit();
    return res.succeeded;
  }

  async requestStop(id: string): Promise<void> {
    await this.client.put(this.stopKey(id)).value(String(Date.now()));
  }

  async stopRequested(id: string): Promise<boolean> {
    return (await this.client.get(this.stopKey(id)).string()) !== null;
  }

  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    // Revoked, not left to expire: a clean stop hands running jobs to another coordinator at once.
    if (lease) await lease.revoke().catch(() => lease.release());
  }

  private async leaseId(): Promise<string> {
    if (this.lease && !this.leaseLost) return this.lease.grant();
    const lease = this.client.lease(this.ttlSeconds);
    lease.on('lost', (err) => {
      this.log?.warn({ err: err.message }, 'job lease lost: running jobs stop here and another coordinator (or this one) resumes them');
      this.leaseLost = true;
    });
    this.lease = lease;
    this.leaseLost = false;
    return lease.grant();
  }
}
