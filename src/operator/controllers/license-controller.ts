import { API_VERSION, APP_NAME, CONDITION, FIELD_MANAGER, FINALIZER, LABELS, MANAGED_BY, REASON } from '../constants.js';
import type { Condition } from '../api/common.js';
import type { LicensePhase } from '../api/license.js';
import { parseLicense } from '../api/validate.js';
import { refOf, type KubeApi, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { Clock } from './clock.js';
import { applyIfChanged, isSubset } from './apply.js';
import { mergeConditions, type ConditionInput } from './conditions.js';
import { newlyFailed } from './condition-events.js';
import { licenseValid } from './diagnose-license.js';
import { recordEvent } from './events.js';
import type { ReconcileResult, Reconciler } from './reconciler.js';

// License → a Secret <cluster>-license (key `license`) in each listed cluster's namespace; the
// AlluxioCluster reconciler passes it to the pods as alluxio.license and rolls them. As in
// Alluxio's operator, a cluster that does not exist fails the whole License. Secrets may live in
// other namespaces (owner references cannot cross them), so a finalizer removes them.

export class LicenseReconciler implements Reconciler {
  readonly apiVersion = API_VERSION;
  readonly kind = 'License';
  constructor(private readonly deps: { api: KubeApi; clock: Clock }) {}

  async reconcile(ref: ObjectRef): Promise<ReconcileResult> {
    const { api } = this.deps;
    const raw = await api.get(ref);
    if (!raw) return {};
    const targets = ((raw.spec?.clusters ?? []) as { name: string; namespace: string }[]);
    if (raw.metadata.deletionTimestamp) {
      for (const t of targets) {
        const s = await api.get(secretRef(t));
        if (s && s.metadata.labels?.['k8s-operator.alluxio.com/license'] === raw.metadata.name) await api.delete(secretRef(t));
      }
      raw.metadata.finalizers = (raw.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
      await api.update(raw, { fieldManager: FIELD_MANAGER });
      return {};
    }
    if (!raw.metadata.finalizers?.includes(FINALIZER)) {
      raw.metadata.finalizers = [...(raw.metadata.finalizers ?? []), FINALIZER];
      raw.metadata = (await api.update(raw, { fieldManager: FIELD_MANAGER })).metadata;
    }
    const parsed = parseLicense(raw);
    if (!parsed.value) return this.finish(raw, 'Failed', parsed.errors.join('; '));
    // Checked, never blocking: alluxio-ts does not enforce licenses (controllers/diagnose-license.ts).
    const validity = licenseValid(`License ${raw.metadata.namespace}/${raw.metadata.name}`, parsed.value.spec.licenseString, this.deps.clock.now(),
      'put a new licenseString in this License (kubectl edit license)');
    const missing: string[] = [];
    for (const t of parsed.value.spec.clusters) {
      if (!(await api.get({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: t.namespace, name: t.name }))) missing.push(`${t.namespace}/${t.name}`);
    }
    if (missing.length) {
      return this.finish(raw, 'Failed', `AlluxioCluster ${missing.join(', ')} not found: list only running clusters; no cluster was licensed`, 30_000, validity);
    }
    // Only Secrets that differ are applied, and Allocating is shown only while some do: a
    // settled License writes nothing (each write is a watch event, i.e. another reconcile).
    const secrets = parsed.value.spec.clusters.map((t) => licenseSecret(t, raw.metadata.name, parsed.value!.spec.licenseString));
    const live = await Promise.all(secrets.map((s) => api.get(refOf(s))));
    const stale = secrets.filter((s, i) => !live[i] || !isSubset(s, live[i]));
    if (stale.length) {
      await this.finish(raw, 'Allocating', `applying to ${parsed.value.spec.clusters.length} cluster(s)`, undefined, validity);
      for (const s of stale) await applyIfChanged(api, s, null);
    }
    return this.finish(raw, 'Completed', `license applied to ${parsed.value.spec.clusters.map((c) => `${c.namespace}/${c.name}`).join(', ')}`, undefined, validity);
  }

  private async finish(raw: KubeObject, phase: LicensePhase, message: string, requeueAfterMs?: number, validity?: ConditionInput): Promise<ReconcileResult> {
    const conditions = mergeConditions(raw.status?.conditions as Condition[] | undefined,
      [{ type: CONDITION.Licensed, ok: phase === 'Completed', reason: phase === 'Completed' ? REASON.LicenseApplied : phase, message },
        ...(validity ? [validity] : [])],
      raw.metadata.generation, this.deps.clock);
    const cur = raw.status ?? {};
    const errorMessage = phase === 'Failed' ? message : undefined;
    if (cur.phase !== phase || cur.errorMessage !== errorMessage || JSON.stringify(cur.conditions) !== JSON.stringify(conditions)) {
      const updated = await this.deps.api.patchStatus(refOf(raw), { phase, conditions, observedGeneration: raw.metadata.generation, errorMessage: errorMessage ?? null },
        { fieldManager: FIELD_MANAGER });
      for (const f of newlyFailed(cur.conditions as Condition[] | undefined, conditions).filter((x) => x.type === CONDITION.LicenseValid)) {
        await recordEvent(this.deps.api, this.deps.clock, raw, 'Warning', f.reason, `${f.type}: ${f.message}`);
      }
      raw.status = updated.status;
    }
    return requeueAfterMs ? { requeueAfterMs } : {};
  }
}

function licenseSecret(t: { name: string; namespace: string }, license: string, licenseString: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    // Only ObjectMeta fields: server-side apply refuses others ("field not declared in schema").
    metadata: { name: secretRef(t).name, namespace: t.namespace, labels: { [LABELS.name]: APP_NAME, [LABELS.instance]: t.name, [LABELS.component]: 'license',
      [LABELS.managedBy]: MANAGED_BY, 'k8s-operator.alluxio.com/license': license } },
    data: { license: Buffer.from(licenseString).toString('base64') },
  };
}

function secretRef(t: { name: string; namespace: string }): ObjectRef & { namespace: string } {
  return { apiVersion: 'v1', kind: 'Secret', namespace: t.namespace, name: `${t.name}-license` };
}
