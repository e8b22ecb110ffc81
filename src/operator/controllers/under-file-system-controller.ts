import { createHash } from 'node:crypto';
import { isSecretKey } from '../../common/secrets.js';
import { API_VERSION, CONDITION, FIELD_MANAGER, FINALIZER, REASON } from '../constants.js';
import type { UfsPhase, UnderFileSystem, UnderFileSystemSpec } from '../api/under-file-system.js';
import type { Condition } from '../api/common.js';
import { parseUnderFileSystem } from '../api/validate.js';
import { isConflict, refOf, type KubeApi, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { Clock } from './clock.js';
import { mergeConditions } from './conditions.js';
import { CoordinatorError, coordinatorMessage, type CoordinatorTarget, type MountClient } from './coordinator-client.js';
import { coordinatorTarget, type CoordinatorUrlOf } from './coordinator-target.js';
import type { ReconcileResult, Reconciler } from './reconciler.js';

// UnderFileSystem → a mount through the coordinator's REST API. Steps: 1 fetch · 2 deletion:
// unmount, then drop the finalizer · 3 ensure the finalizer · 4 validate · 5 find the cluster ·
// 6 gather options (credentialsSecretRef + mountOptions) · 7 mount if not mounted as asked ·
// 8 status (never a secret: errors are scrubbed of every secret value) · 9 requeue.

export const UFS_RETRY_MS = 30_000;
export const UFS_WAIT_MS = 10_000;
export const UFS_RESYNC_MS = 300_000;
const READY_CLUSTER_PHASES = new Set(['Ready', 'WaitingForReady', 'Updating']);

export interface UfsReconcilerDeps {
  api: KubeApi;
  clock: Clock;
  mounts: MountClient;
  /** Base URL of a cluster's coordinator; default http://<name>-coordinator.<ns>:19999. */
  coordinatorUrl?: CoordinatorUrlOf;
}

export class UnderFileSystemReconciler implements Reconciler {
  readonly apiVersion = API_VERSION;
  readonly kind = 'UnderFileSystem';
  constructor(private readonly deps: UfsReconcilerDeps) {}

  private target(c: KubeObject): Promise<CoordinatorTarget> {
    return coordinatorTarget(this.deps.api, c, this.deps.coordinatorUrl);
  }

  async reconcile(ref: ObjectRef): Promise<ReconcileResult> {
    const { api } = this.deps;
    // 1. fetch
    const raw = await api.get(ref);
    if (!raw) return {};
    const cluster = raw.spec?.alluxioCluster
      ? await api.get({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: raw.metadata.namespace, name: raw.spec.alluxioCluster })
      : undefined;

    // 2. deletion
    if (raw.metadata.deletionTimestamp) {
      if (!raw.metadata.finalizers?.includes(FINALIZER)) return {};
      const path = raw.status?.mountedPath as string | undefined;
      // A cluster that is gone (or going) took its mount table with it: nothing to unmount.
      if (path && cluster && !cluster.metadata.deletionTimestamp) {
        try {
          await this.deps.mounts.remove(await this.target(cluster), path);
        } catch (err) {
          if (!(err instanceof CoordinatorError && (err.status === 404 || err.code === 'ALX_ERR_NO_MOUNT'))) throw err;
        }
      }
      await this.setFinalizer(raw, false);
      return {};
    }

    // 3. finalizer
    if (!raw.metadata.finalizers?.includes(FINALIZER)) await this.setFinalizer(raw, true);

    // 4. validate
    const parsed = parseUnderFileSystem(raw);
    if (!parsed.value) return this.finish(raw, 'Failed', REASON.InvalidSpec, parsed.errors.join('; '), {});
    const ufs = parsed.value;

    // 5. cluster
    if (!cluster) {
      return this.finish(raw, 'Pending', REASON.ClusterNotFound,
        `AlluxioCluster '${ufs.spec.alluxioCluster}' not found in namespace ${raw.metadata.namespace}`, { requeueAfterMs: UFS_WAIT_MS });
    }
    const phase = cluster.status?.phase as string | undefined;
    if (!phase || !READY_CLUSTER_PHASES.has(phase)) {
      return this.finish(raw, 'Pending', REASON.ClusterNotReady,
        `waiting for AlluxioCluster '${cluster.metadata.name}' (phase ${phase ?? 'unknown'})`, { requeueAfterMs: UFS_WAIT_MS });
    }

    // 6. options
    const secretValues: string[] = Object.entries(ufs.spec.mountOptions ?? {}).filter(([k]) => isSecretKey(k)).map(([, v]) => v);
    let secretOptions: Record<string, string> = {};
    let secretVersion = '';
    if (ufs.spec.credentialsSecretRef) {
      const s = await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: raw.metadata.namespace, name: ufs.spec.credentialsSecretRef.name });
      if (!s) {
        return this.finish(raw, 'Failed', REASON.SecretNotFound,
          `credentialsSecretRef: Secret '${ufs.spec.credentialsSecretRef.name}' not found in namespace ${raw.metadata.namespace}`, { requeueAfterMs: UFS_RETRY_MS });
      }
      secretOptions = decodeSecret(s);
      secretVersion = s.metadata.resourceVersion ?? '';
      secretValues.push(...Object.values(secretOptions));
    }
    const options = { ...(ufs.spec.mountOptions ?? {}), ...secretOptions };
    const hash = mountHash(ufs.spec, secretVersion);
    const base = await this.target(cluster);

    // 7. mount
    try {
      const current = await this.deps.mounts.list(base);
      const here = current.find((m) => trimSlash(m.path) === trimSlash(ufs.spec.mountPath));
      const prevPath = raw.status?.mountedPath as string | undefined;
      if (prevPath && trimSlash(prevPath) !== trimSlash(ufs.spec.mountPath) && current.some((m) => trimSlash(m.path) === trimSlash(prevPath))) {
        await this.deps.mounts.remove(base, prevPath);
      }
      const upToDate = here && here.ufs === ufs.spec.path && raw.status?.mountedHash === hash && raw.status?.phase === 'Ready';
      if (!upToDate) {
        if (here) await this.deps.mounts.remove(base, ufs.spec.mountPath);
        await this.deps.mounts.add(base, { path: ufs.spec.mountPath, ufs: ufs.spec.path, options });
      }
    } catch (err) {
      const message = coordinatorMessage(`mount ${ufs.spec.path} at ${ufs.spec.mountPath}`, err, secretValues);
      return this.finish(raw, 'Failed', REASON.MountFailed, message, { requeueAfterMs: UFS_RETRY_MS }, { mountedHash: undefined });
    }

    // 8. status
    return this.finish(raw, 'Ready', REASON.MountOk, `${ufs.spec.path} mounted at ${ufs.spec.mountPath}`,
      { requeueAfterMs: UFS_RESYNC_MS }, { mountedHash: hash, mountedPath: ufs.spec.mountPath });
  }

  private async setFinalizer(raw: KubeObject, present: boolean): Promise<void> {
    const fins = (raw.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    if (present) fins.push(FINALIZER);
    raw.metadata.finalizers = fins;
    try {
      const updated = await this.deps.api.update(raw, { fieldManager: FIELD_MANAGER });
      raw.metadata = updated.metadata;
    } catch (err) {
      if (isConflict(err)) throw new Error(`UnderFileSystem ${raw.metadata.name} changed while updating finalizers; retrying`);
      throw err;
    }
  }

  private async finish(raw: KubeObject, phase: UfsPhase, reason: string, message: string, result: ReconcileResult,
    extra: { mountedHash?: string; mountedPath?: string } = {}): Promise<ReconcileResult> {
    const conditions = mergeConditions(raw.status?.conditions as Condition[] | undefined,
      [{ type: CONDITION.Mounted, ok: phase === 'Ready', reason, message }], raw.metadata.generation, this.deps.clock);
    const status: Record<string, unknown> = {
      phase, conditions, observedGeneration: raw.metadata.generation,
      errorMessage: phase === 'Ready' ? null : message,
    };
    if ('mountedHash' in extra) status.mountedHash = extra.mountedHash ?? null;
    if (extra.mountedPath) status.mountedPath = extra.mountedPath;
    const cur = raw.status ?? {};
    const same = cur.phase === phase && cur.errorMessage === (phase === 'Ready' ? undefined : message) &&
      JSON.stringify(cur.conditions) === JSON.stringify(conditions) && cur.observedGeneration === raw.metadata.generation &&
      (!('mountedHash' in extra) || cur.mountedHash === extra.mountedHash) && (!extra.mountedPath || cur.mountedPath === extra.mountedPath);
    if (!same) await this.deps.api.patchStatus(refOf(raw), status, { fieldManager: FIELD_MANAGER });
    return result;
  }
}

function trimSlash(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export function decodeSecret(s: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>)) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries((s.stringData ?? {}) as Record<string, string>)) out[k] = v;
  return out;
}

/** What was mounted, without secret values: the secret is represented by its resourceVersion. */
function mountHash(spec: UnderFileSystemSpec, secretVersion: string): string {
  const safe = Object.fromEntries(Object.entries(spec.mountOptions ?? {}).map(([k, v]) => [k, isSecretKey(k) ? createHash('sha256').update(v).digest('hex') : v]));
  return createHash('sha256').update(JSON.stringify([spec.path, spec.mountPath, safe, spec.credentialsSecretRef?.name ?? '', secretVersion])).digest('hex').slice(0, 32);
}

export type { UnderFileSystem };
