import { stringify } from 'yaml';
import { PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { grafanaAdminEnv } from './grafana-admin-secret.js';
import { dashboardJson } from './grafana-dashboard.js';
import { clusterNames, labels, meta, namespaceOf, selectorLabels } from './names.js';
import { placement, pullSecrets, resourcesOf } from './pod.js';

// Prometheus finds the pods through the headless Services' DNS records (dns_sd_configs), so it
// needs no RBAC; Grafana is provisioned with Prometheus as data source and the Alluxio dashboard.

export function prometheusConfig(c: AlluxioCluster): string {
  const n = clusterNames(c);
  const ns = namespaceOf(c);
  const job = (name: string, service: string, port: number) => ({
    job_name: name,
    metrics_path: '/metrics',
    dns_sd_configs: [{ names: [`${service}.${ns}.svc`], type: 'A', port }],
  });
  const jobs = [
    job('alluxio-coordinator', n.coordinatorHeadless, PORTS.coordinatorWeb),
    job('alluxio-worker', n.workerHeadless, PORTS.workerWeb),
  ];
  if (c.spec.etcd.enabled) jobs.push(job('alluxio-etcd', n.etcdHeadless, 2381));
  return stringify({ global: { scrape_interval: '15s', evaluation_interval: '15s' }, scrape_configs: jobs });
}

function deployment(c: AlluxioCluster, name: string, component: string, pod: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(c, name, component),
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorLabels(c, component) },
      template: { metadata: { labels: labels(c, component) }, spec: pod },
    },
  };
}

function service(c: AlluxioCluster, name: string, component: string, port: number): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: meta(c, name, component),
    spec: { type: 'ClusterIP', selector: selectorLabels(c, component), ports: [{ name: 'http', port, targetPort: port }] },
  };
}

export function buildPrometheus(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const p = c.spec.prometheus;
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, n.prometheusConf, 'prometheus'), data: { 'prometheus.yml': prometheusConfig(c) } },
    deployment(c, n.prometheus, 'prometheus', {
      securityContext: { runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, runAsNonRoot: true },
      ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
      ...placement({}),
      containers: [{
        name: 'prometheus',
        image: p.image,
        args: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=7d'],
        ports: [{ name: 'http', containerPort: PORTS.prometheus }],
        readinessProbe: { httpGet: { path: '/-/ready', port: PORTS.prometheus }, periodSeconds: 10 },
        ...resourcesOf(p.resources),
        volumeMounts: [{ name: 'config', mountPath: '/etc/prometheus' }, { name: 'data', mountPath: '/prometheus' }],
      }],
      volumes: [{ name: 'config', configMap: { name: n.prometheusConf } }, { name: 'data', emptyDir: {} }],
    }),
    service(c, n.prometheus, 'prometheus', PORTS.prometheus),
  ];
}

export function buildGrafana(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const g = c.spec.grafana;
  const datasources = stringify({
    apiVersion: 1,
    datasources: [{ name: 'Prometheus', uid: 'prometheus', type: 'prometheus', access: 'proxy', isDefault: true,
      url: `http://${n.prometheus}.${namespaceOf(c)}:${PORTS.prometheus}` }],
  });
  const providers = stringify({
    apiVersion: 1,
    providers: [{ name: 'alluxio', folder: 'Alluxio', type: 'file', options: { path: '/var/lib/grafana/dashboards' } }],
  });
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, n.grafanaConf, 'grafana'),
      data: { 'datasources.yaml': datasources, 'dashboards.yaml': providers } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, n.grafanaDashboards, 'grafana'),
      data: { 'alluxio.json': dashboardJson() } },
    deployment(c, n.grafana, 'grafana', {
      securityContext: { runAsUser: 472, runAsGroup: 472, fsGroup: 472, runAsNonRoot: true },
      ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
      containers: [{
        name: 'grafana',
        image: g.image,
        // Admin password from the generated Secret (never the image's admin/admin); logs to stdout only.
        env: [...grafanaAdminEnv(c), { name: 'GF_LOG_MODE', value: 'console' }],
        ports: [{ name: 'http', containerPort: PORTS.grafana }],
        readinessProbe: { httpGet: { path: '/api/health', port: PORTS.grafana }, periodSeconds: 10 },
        ...resourcesOf(g.resources),
        volumeMounts: [
          { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources' },
          { name: 'providers', mountPath: '/etc/grafana/provisioning/dashboards' },
          { name: 'data', mountPath: '/var/lib/grafana' },
          { name: 'dashboards', mountPath: '/var/lib/grafana/dashboards' },
        ],
      }],
      volumes: [
        { name: 'datasources', configMap: { name: n.grafanaConf, items: [{ key: 'datasources.yaml', path: 'datasources.yaml' }] } },
        { name: 'providers', configMap: { name: n.grafanaConf, items: [{ key: 'dashboards.yaml', path: 'dashboards.yaml' }] } },
        { name: 'dashboards', configMap: { name: n.grafanaDashboards } },
        // Grafana's database and plugins: the root filesystem is read-only (builders/hardening.ts).
        { name: 'data', emptyDir: {} },
      ],
    }),
    service(c, n.grafana, 'grafana', PORTS.grafana),
  ];
}
