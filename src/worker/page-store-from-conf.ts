import type { AlluxioConfiguration } from '../conf/index.js';
import { InvalidConfError } from '../common/errors.js';
import { createPageStore, type PageStore } from '../pagestore/index.js';
import { TieredPageStore, type Tier } from '../pagestore/tiered-page-store.js';

const LEVELS = [0, 1, 2] as const;
const ALIASES = ['MEM', 'SSD', 'HDD'];

/**
 * The worker's page store: alluxio.worker.page.store.* (3.x), or, when
 * alluxio.worker.tieredstore.levels is set, a 2.x tiered store whose levels are page stores
 * (MEM: in memory; SSD/HDD: page files in the level's dirs) with their quotas.
 */
export function pageStoreFromConf(conf: AlluxioConfiguration): PageStore {
  const common = {
    pageSize: conf.getSize('alluxio.worker.page.store.page.size'),
    reservedBytes: conf.getSize('alluxio.worker.page.store.reserved.size'),
    evictor: conf.getEnum('alluxio.worker.page.store.evictor.type'),
    buckets: conf.getInt('alluxio.worker.page.store.local.store.file.buckets'),
    checksum: conf.getBool('alluxio.worker.page.store.checksum.enabled'),
  };
  if (!conf.isSet('alluxio.worker.tieredstore.levels')) {
    return createPageStore({
      type: conf.getEnum('alluxio.worker.page.store.type'),
      dirs: [...conf.getList('alluxio.worker.page.store.dirs')],
      sizes: [...conf.getSizeList('alluxio.worker.page.store.sizes')],
      ...common,
    });
  }
  const levels = conf.getInt('alluxio.worker.tieredstore.levels');
  const tiers: Tier[] = [];
  for (const n of LEVELS.slice(0, levels)) {
    const key = (k: string) => `alluxio.worker.tieredstore.level${n}.${k}`;
    const alias = (conf.get(key('alias')) ?? ALIASES[n]!).toUpperCase();
    if (!ALIASES.includes(alias)) throw new InvalidConfError(`bad ${key('alias')} '${alias}': expected MEM, SSD or HDD`);
    const dirs = conf.isSet(key('dirs.path')) ? [...conf.getList(key('dirs.path') as 'alluxio.worker.tieredstore.level0.dirs.path')] : [];
    if (!conf.isSet(key('dirs.quota'))) throw new InvalidConfError(`tiered store level ${n} (${alias}) needs ${key('dirs.quota')} (the capacity of each of its directories)`);
    const quotas = [...conf.getSizeList(key('dirs.quota') as 'alluxio.worker.tieredstore.level0.dirs.quota')];
    const high = ratio(key('watermark.high.ratio'), conf.get(key('watermark.high.ratio')) ?? '1.0');
    ratio(key('watermark.low.ratio'), conf.get(key('watermark.low.ratio')) ?? '0.7');
    const sizes = quotas.map((q) => Math.max(common.pageSize, Math.floor(q * high)));
    if (alias !== 'MEM' && dirs.length === 0) throw new InvalidConfError(`tiered store level ${n} (${alias}) needs ${key('dirs.path')}`);
    if (alias !== 'MEM' && sizes.length !== 1 && sizes.length !== dirs.length) {
      throw new InvalidConfError(`${key('dirs.quota')} has ${sizes.length} values for ${dirs.length} directories in ${key('dirs.path')}: give one per directory, or one for all`);
    }
    const store = alias === 'MEM'
      ? createPageStore({ type: 'MEM', dirs: [], sizes: [sizes.reduce((a, b) => a + b, 0)], ...common })
      : createPageStore({ type: 'LOCAL', dirs, sizes: sizes.length === 1 ? dirs.map(() => sizes[0]!) : sizes, ...common });
    tiers.push({ alias, store });
  }
  return new TieredPageStore(tiers, conf.getInt('alluxio.worker.tieredstore.promote.after.hits'));
}

function ratio(key: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || v > 1) throw new InvalidConfError(`bad ${key} '${text}': expected a number in (0, 1]`);
  return v;
}
