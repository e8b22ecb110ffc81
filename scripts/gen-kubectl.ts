// Writes deploy/kubectl/ (the 2.x kubectl templates) from the alluxio chart: npm run gen:kubectl.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KUBECTL_DIR, PRESETS, kubectlTemplates } from '../test/helm2x/support/kubectl-templates.js';

for (const dir of Object.keys(PRESETS)) rmSync(join(KUBECTL_DIR, dir), { recursive: true, force: true });
for (const [path, text] of kubectlTemplates()) {
  mkdirSync(dirname(join(KUBECTL_DIR, path)), { recursive: true });
  writeFileSync(join(KUBECTL_DIR, path), text);
}
console.log(`wrote ${kubectlTemplates().size} files under ${KUBECTL_DIR}`);
