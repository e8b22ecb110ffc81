import type { Command } from 'commander';
import type { GlobalOptions } from '../context.js';

/** Where each kind of 2.x state lives here, and how to clear it: what `format*` print instead of formatting. */
const NO_JOURNAL = 'alluxio-ts has no master and no journal: there is nothing to format. Membership, the mount table and jobs live in etcd '
  + '(alluxio.etcd.endpoints); they need no formatting and are kept across restarts.';
const PAGE_STORE = 'Cached data lives in each worker\'s page store (alluxio.worker.page.store.dirs). To empty the cache, run '
  + '\'alluxio fs free <mount path>\' for each mount point (a free job on every worker), or stop a worker and delete its page store directory.';

const VERBS: ReadonlyArray<{ name: string; description: string; text: string }> = [
  { name: 'format', description: '2.x: format the journal and worker storage. A no-op here that says where that state lives', text: `${NO_JOURNAL}\n${PAGE_STORE}` },
  { name: 'formatJournal', description: '2.x: format the master journal. A no-op here: there is no journal', text: NO_JOURNAL },
  { name: 'formatMasters', description: '2.x: format the master journals. A no-op here: there are no masters', text: NO_JOURNAL },
  { name: 'formatWorker', description: '2.x: format the worker storage. A no-op here that says how to clear the page store', text: PAGE_STORE },
];

/** The 2.x `format` verbs, as the 2.x Helm chart's init containers and scripts call them: each prints what happens instead and exits 0. */
export function registerFormatCommands(program: Command, _global: () => GlobalOptions): void {
  for (const v of VERBS) {
    program.command(v.name).option('-s', '2.x: format only when the journal does not exist yet (accepted; nothing is formatted either way)')
      .description(v.description)
      .action(() => {
        process.stdout.write(`${v.text}\n`);
      });
  }
}
