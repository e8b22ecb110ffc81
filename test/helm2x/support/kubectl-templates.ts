// deploy/kubectl/<template>/: the three 2.x kubectl template directories, rendered from the chart
// with the values each 2.x directory stood for. `npm run gen:kubectl` writes them; the test
// test/helm2x/kubectl-templates.test.ts checks the files are current.
import { stringify, parseAllDocuments } from 'yaml';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../src/operator/api/generate-crds.js';
import { renderTexts } from './chart.js';

export const KUBECTL_DIR = join(REPO_ROOT, 'deploy/kubectl');

const UFS = '<under_storage_address>';

/** The values each 2.x template directory stands for. */
export const PRESETS: Record<string, Record<string, unknown>> = {
  'singleMaster-localJournal': {
    master: { count: 1 },
    journal: { type: 'UFS', ufsType: 'local', folder: '/journal', volumeType: 'persistentVolumeClaim', size: '1Gi' },
    properties: { 'alluxio.master.mount.table.root.ufs': UFS },
    fuse: { enabled: true, clientEnabled: true },
  },
  'singleMaster-hdfsJournal': {
    master: { count: 1 },
    journal: { type: 'UFS', ufsType: 'HDFS', folder: 'hdfs://<namenode>:<port>/alluxio/journal', volumeType: 'persistentVolumeClaim', size: '1Gi' },
    properties: {
      'alluxio.master.mount.table.root.ufs': UFS,
      'alluxio.underfs.hdfs.configuration': '/secrets/hdfsConfig/core-site.xml:/secrets/hdfsConfig/hdfs-site.xml',
    },
    secrets: { master: { 'alluxio-hdfs-config': 'hdfsConfig' }, worker: { 'alluxio-hdfs-config': 'hdfsConfig' } },
    fuse: { enabled: true, clientEnabled: true },
  },
  'multiMaster-embeddedJournal': {
    master: { count: 3 },
    journal: { type: 'EMBEDDED', folder: '/journal', volumeType: 'persistentVolumeClaim', size: '1Gi' },
    properties: { 'alluxio.master.mount.table.root.ufs': UFS },
    fuse: { enabled: true, clientEnabled: true },
  },
};

/** Chart template path -> file name in the 2.x layout (config/ and fuse/ files sit at the top). */
function fileName(template: string): string {
  return template.replace(/^(config|fuse)\//, '') + '.template';
}

/** Every file of deploy/kubectl, by path under it. */
export function kubectlTemplates(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [dir, values] of Object.entries(PRESETS)) {
    for (const [template, text] of renderTexts(values, { name: 'alluxio', namespace: 'default' })) {
      const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d);
      if (!docs.length) continue;
      const header = `# Generated from deploy/helm/alluxio/templates/${template} by \`npm run gen:kubectl\`\n`
        + `# (values: test/helm2x/support/kubectl-templates.ts, ${dir}; namespace default). Do not edit: change the chart.\n`;
      out.set(`${dir}/${fileName(template)}`, header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n'));
    }
    // Alluxio 2.0's single-file names (seed 002: cp alluxio-master.yaml.template alluxio-master.yaml):
    // the master/ and worker/ files in one stream each. Use one layout or the other, not both.
    for (const part of ['master', 'worker']) {
      const files = [...out.keys()].filter((k) => k.startsWith(`${dir}/${part}/`)).sort();
      const body = files.map((k) => out.get(k)!.replace(/^(#.*\n)+/, '')).join('---\n');
      out.set(`${dir}/alluxio-${part}.yaml.template`, `# All of ${part}/ in one file (Alluxio 2.0's layout): create this or ./${part}/, not both.\n${body}`);
    }
  }
  return out;
}
