import { createHash } from 'node:crypto';
import { API_VERSION, CONDITION, FIELD_MANAGER, LABELS, MANAGED_BY, REASON } from '../constants.js';
import { ignoredFields, type AlluxioCluster, type AlluxioClusterStatus, type ClusterPhase } from '../api/alluxio-cluster.js';
import type { Condition } from '../api/common.js';
import { parseAlluxioCluster } from '../api/validate.js';
import { buildClusterObjects, OWNED_KINDS } from '../builders/cluster.js';
import { etcdClientUrl } from '../builders/etcd.js';
import { clusterNames } from '../builders/names.js';
import { keyOf, refOf, type KubeApi, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { Clock } from './clock.js';
import { mergeConditions, type ConditionInput } from './conditions.js';
import { diagnose, type Observed } from './diagnose.js';
import { licenseValid } from './diagnose-license.js';
import { newlyFailed } from './condition-events.js';
import { applyIfChanged } from './apply.js';
import { recordEvent } from './events.js';
import { orphanIfImmutableChanged } from './immutable.js';
import { ensureMountKeySecret } from './mount-key-secret.js';
import { HttpEtcdMembers, type EtcdMemberApi } from './etcd-members.js';
import { stepEtcdMembership, type EtcdStep } from './etcd-scaling.js';
import { ensureS3CredentialsSecret } from './s3-credentials-secret.js';
import { ensureGrafanaAdminSecret } from './generated-secrets.js';
import { SERVICE_MONITOR } from '../builders/policy.js';
import { isOwnedBy, withOwner } from './owner.js';
import type { ReconcileResult, Reconciler } from './reconciler.js';
import { workloadState } from './workloads.js';

// AlluxioCluster → the objects of DESIGN.md §11, in kubebuilder's fixed steps:
// 1 fetch · 2 deletion (owner references do the cleanup) · 3 parse and validate · 4 build the
// desired objects · 5 server-side apply with owner references, prune what is no longer wanted ·
// 6 observe workloads, pods, PVCs, nodes, events · 7 status: phase, conditions,
// observedGeneration · 8 requeue. Idempotent; no memory between runs.

export const REQUEUE_NOT_READY_MS = 10_000;
export const RESYNC_READY_MS = 300_000;

export interface ClusterReconcilerDeps {
  api: KubeApi;
  clock: Clock;
  /** The etcd member API of a cluster's etcd; default: its client Service. */
  etcdMembers?: (c: AlluxioCluster) => EtcdMemberApi;
}

export class AlluxioClusterReconciler implements Reconciler {
  readonly apiVersion = API_VERSION;
  readonly kind = 'AlluxioCluster';
  constructor(private readonly deps: ClusterReconcilerDeps) {}

  async reconcile(ref: ObjectRef): Promise<ReconcileResult> {
    const { api } = this.deps;
    // 1. fetch
    const raw = await api.get(ref);
    if (!raw) return {};
    // 2. deletion: every child carries an owner reference; the garbage collector removes them.
    if (raw.metadata.deletionTimestamp) return {};
    const prev = (raw.status ?? {}) as AlluxioClusterStatus;
    const generation = raw.metadata.generation;
    if (!prev.phase) await this.writeStatus(raw, { phase: 'Pending', observedGeneration: generation });

    // 3. parse and validate (the schema may have been bypassed, e.g. by an older CRD)
    const parsed = parseAlluxioCluster(raw);
    if (!parsed.value) {
      await this.writeStatus(raw, this.status(raw, 'Failed', [
        { type: CONDITION.SpecValid, ok: false, reason: REASON.InvalidSpec, message: parsed.errors.join('; ') },
        { type: CONDITION.Ready, ok: false, reason: REASON.InvalidSpec, message: 'the spec is invalid; see SpecValid' },
      ], parsed.errors.join('; ')));
      return {};
    }
    const cluster = parsed.value;
    const conds: ConditionInput[] = [{ type: CONDITION.SpecValid, ok: true, reason: 'Valid', message: 'spec is valid' }];
    if (parsed.warnings.length) conds.push({ type: CONDITION.SpecWarnings, ok: false, reason: REASON.SizeUnit, message: parsed.warnings.join('; ') });
    const ignored = ignoredFields(cluster.spec);
    if (ignored.length) conds.push({ type: CONDITION.Ignored, ok: true, reason: REASON.FieldsIgnored, message: `accepted but not used by alluxio-ts: ${ignored.join(', ')}` });

    // 4a. etcd membership: a new replicaCount is reached one member at a time through the etcd
    // member API (controllers/etcd-scaling.ts); it decides the etcd replicas and bootstrap flags.
    let etcd: EtcdStep | undefined;
    if (cluster.spec.etcd.enabled) {
      const members = this.deps.etcdMembers ?? ((c: AlluxioCluster) => new HttpEtcdMembers([etcdClientUrl(c)]));
      etcd = await stepEtcdMembership(api, () => members(cluster), cluster, prev.etcd);
      if (etcd.condition) conds.push(etcd.condition);
    }
    // 4b. build desired
    const license = await this.licenseSecret(cluster);
    const licenseText = license?.text;
    const serviceMonitor = await this.hasServiceMonitorCrd();
    const desired = buildClusterObjects(cluster, { ...(license ? { license: { secretName: license.secretName, hash: license.hash } } : {}), ...(etcd ? { etcd: etcd.topology } : {}), serviceMonitor })
      .map((o) => withOwner(o, raw));

    // 5. apply, then prune. One object that fails does not stop the others (a new imageTag is
    // applied even when another change is refused); a StatefulSet whose immutable fields change
    // is orphan-deleted and recreated (controllers/immutable.ts).
    let created = false;
    const failures: string[] = [];
    const recreated: string[] = [];
    try {
      if (await ensureMountKeySecret(api, cluster) === 'created') created = true;
    } catch (err) {
      failures.push((err as Error).message);
    }
    try {
      if (await ensureS3CredentialsSecret(api, cluster) === 'created') created = true;
    } catch (err) {
      failures.push((err as Error).message);
    }
    try {
      if (await ensureGrafanaAdminSecret(api, cluster) === 'created') created = true;
    } catch (err) {
      failures.push((err as Error).message);
    }
    for (const obj of desired) {
      try {
        const changed = await orphanIfImmutableChanged(api, obj);
        if (changed.length) recreated.push(`${obj.metadata.name} (${changed.join(', ')})`);
        if ((await applyIfChanged(api, obj)).created) created = true;
      } catch (err) {
        failures.push(`${obj.kind} ${obj.metadata.name}: ${(err as Error).message}`);
      }
    }
    if (recreated.length) {
      const message = `StatefulSet ${recreated.join('; ')} changed fields Kubernetes does not allow to change in place: `
        + 'recreated (pods kept and rolled). PersistentVolumeClaims that already exist keep their old size and class: '
        + 'expand them (if the StorageClass allows) or delete each claim with its pod to get the new one';
      await recordEvent(api, this.deps.clock, raw, 'Normal', REASON.StatefulSetRecreated, message);
    }
    if (failures.length) {
      const message = `applying the cluster's objects failed: ${failures.join('; ')}`;
      conds.push({ type: CONDITION.ResourcesApplied, ok: false, reason: REASON.ApplyFailed, message });
      await this.writeStatus(raw, this.status(raw, 'Failed', [...conds, { type: CONDITION.Ready, ok: false, reason: REASON.ApplyFailed, message }], message));
      throw new Error(message); // the queue retries with backoff
    }
    await this.prune(raw, desired, serviceMonitor);
    conds.push({ type: CONDITION.ResourcesApplied, ok: true, reason: REASON.Applied, message: `${desired.length} objects applied` });

    // 6. observe
    const workloads = (await Promise.all(desired.filter((o) => ['StatefulSet', 'Deployment', 'DaemonSet'].includes(o.kind))
      .map((o) => api.get(refOf(o))))).filter((o): o is KubeObject => !!o).map(workloadState);
    const problems = diagnose(cluster, await this.observe(cluster));
    conds.push(...problems);
    // The license is checked but, as alluxio-ts does not enforce it, never fails the cluster.
    const licenseCond = this.licenseCondition(cluster, licenseText);
    if (licenseCond) conds.push(licenseCond);
    const notReady = workloads.filter((w) => !w.done);
    const failed = problems.filter((f) => !f.ok);

    // 7. phase and status
    let phase: ClusterPhase;
    let errorMessage: string | undefined;
    if (failed.length) {
      phase = 'Failed';
      errorMessage = failed.map((f) => `${f.reason}: ${f.message}`).join('; ');
    } else if (!notReady.length && !etcd?.scaling) {
      phase = 'Ready';
    } else if (prev.phase === 'Ready' || prev.phase === 'Updating') {
      phase = 'Updating';
    } else {
      phase = created ? 'Creating' : 'WaitingForReady';
    }
    conds.push(phase === 'Ready'
      ? { type: CONDITION.Ready, ok: true, reason: REASON.AllReady, message: workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', ') }
      : { type: CONDITION.Ready, ok: false, reason: failed.length ? failed[0]!.reason : REASON.WaitingForPods,
        // A failure's cause and fix first (kubectl get -o wide shows this message), then what is still starting.
        message: [errorMessage, notReady.length ? `waiting for ${notReady.map((w) => `${w.name} ${w.ready}/${w.desired}`).join(', ')}` : undefined]
          .filter(Boolean).join('; ') });
    const worker = workloads.find((w) => w.name === clusterNames(cluster).worker);
    const status = this.status(raw, phase, conds, errorMessage);
    if (worker) status.workers = { desired: worker.desired, ready: worker.ready };
    if (etcd) status.etcd = etcd.status;
    await this.writeStatus(raw, status);

    // 8. requeue
    const requeue = phase === 'Ready' ? RESYNC_READY_MS : REQUEUE_NOT_READY_MS;
    return { requeueAfterMs: Math.min(requeue, etcd?.requeueMs ?? requeue) };
  }

  private status(raw: KubeObject, phase: ClusterPhase, conds: ConditionInput[], errorMessage?: string): AlluxioClusterStatus {
    const prev = raw.status?.conditions as Condition[] | undefined;
    return {
      phase,
      conditions: mergeConditions(prev, conds, raw.metadata.generation, this.deps.clock),
      observedGeneration: raw.metadata.generation,
      ...(errorMessage ? { errorMessage } : {}),
    };
  }

  /** Patches status only when it changed; errorMessage/workers removed when absent. */
  private async writeStatus(raw: KubeObject, status: AlluxioClusterStatus): Promise<void> {
    const current = await this.deps.api.get(refOf(raw));
    if (!current) return;
    const merged = { ...(current.status ?? {}), ...status } as Record<string, unknown>;
    if (status.errorMessage === undefined) merged.errorMessage = undefined;
    if (JSON.stringify(normalize(merged)) === JSON.stringify(normalize(current.status ?? {}))) return;
    const patch: Record<string, unknown> = { ...status };
    if (status.errorMessage === undefined && current.status?.errorMessage !== undefined) patch.errorMessage = null;
    await this.deps.api.patchStatus(refOf(raw), patch, { fieldManager: FIELD_MANAGER });
    // kubectl describe lists Events: one Warning per condition that turns False (cause and fix),
    // unless the phase-change Event below already carries it (its message is errorMessage).
    const inPhaseEvent = status.phase !== current.status?.phase ? status.errorMessage ?? '' : '';
    for (const f of newlyFailed(current.status?.conditions as Condition[] | undefined, status.conditions)
      .filter((c) => !inPhaseEvent.includes(c.message))) {
      await recordEvent(this.deps.api, this.deps.clock, current, 'Warning', f.reason, `${f.type}: ${f.message}`);
    }
    if (status.phase && status.phase !== current.status?.phase) {
      await recordEvent(this.deps.api, this.deps.clock, current, status.phase === 'Failed' ? 'Warning' : 'Normal', status.phase,
        status.errorMessage ?? `phase ${current.status?.phase ?? '(none)'} → ${status.phase}`);
    }
    raw.status = { ...(current.status ?? {}), ...status };
  }

  private licenseCondition(c: AlluxioCluster, fromSecret: string | undefined): ConditionInput | undefined {
    const inline = c.spec.properties?.['alluxio.license'];
    const now = this.deps.clock.now();
    if (inline !== undefined) return licenseValid('spec.properties alluxio.license', String(inline), now, 'put a new license in spec.properties alluxio.license');
    if (fromSecret !== undefined) {
      return licenseValid(`Secret ${clusterNames(c).licenseSecret} (from a License)`, fromSecret, now,
        'update the licenseString of the License that lists this cluster (kubectl get license -A)');
    }
    return undefined;
  }

  private async licenseSecret(c: AlluxioCluster): Promise<{ secretName: string; hash: string; text: string } | undefined> {
    if (c.spec.properties?.['alluxio.license']) return undefined;
    const name = clusterNames(c).licenseSecret;
    const s = await this.deps.api.get({ apiVersion: 'v1', kind: 'Secret', namespace: c.metadata.namespace, name });
    const data = s?.data?.license as string | undefined;
    if (!data) return undefined;
    return { secretName: name, hash: createHash('sha256').update(data).digest('hex').slice(0, 16), text: Buffer.from(data, 'base64').toString('utf8') };
  }

  /** Deletes objects this cluster owns that the spec no longer asks for (FUSE off, monitoring off...). */
  /** Whether the Prometheus Operator's ServiceMonitor CRD is installed (not watched: it may not exist). */
  private async hasServiceMonitorCrd(): Promise<boolean> {
    const crd = await this.deps.api.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: SERVICE_MONITOR.crd });
    return crd !== undefined;
  }

  private async prune(owner: KubeObject, desired: KubeObject[], serviceMonitorCrd = false): Promise<void> {
    const wanted = new Set(desired.map((o) => keyOf(refOf(o))));
    const kinds = serviceMonitorCrd ? [...OWNED_KINDS, SERVICE_MONITOR] : OWNED_KINDS;
    for (const k of kinds) {
      const list = await this.deps.api.list(k.apiVersion, k.kind, {
        namespace: owner.metadata.namespace,
        labelSelector: { [LABELS.instance]: owner.metadata.name, [LABELS.managedBy]: MANAGED_BY },
      });
      for (const o of list.items) {
        if (isOwnedBy(o, owner) && !wanted.has(keyOf(refOf(o)))) await this.deps.api.delete(refOf(o));
      }
    }
  }

  private async observe(c: AlluxioCluster): Promise<Observed> {
    const { api } = this.deps;
    const ns = c.metadata.namespace;
    const [pods, pvcs, nodes, storageClasses, events, pvs] = await Promise.all([
      api.list('v1', 'Pod', { namespace: ns, labelSelector: { [LABELS.instance]: c.metadata.name } }),
      api.list('v1', 'PersistentVolumeClaim', { namespace: ns }),
      api.list('v1', 'Node'),
      api.list('storage.k8s.io/v1', 'StorageClass'),
      api.list('v1', 'Event', { namespace: ns }),
      api.list('v1', 'PersistentVolume'),
    ]);
    return { pods: pods.items, pvcs: pvcs.items, nodes: nodes.items, storageClasses: storageClasses.items, events: events.items,
      pvs: pvs.items, now: this.deps.clock.now() };
  }
}

function normalize(s: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s).sort()) if (s[k] !== undefined && s[k] !== null) out[k] = s[k];
  return out;
}
