export { type MountPoint, validateMountPoint, normalizeUfsRoot } from './mount-point.js';
export { MountTable, type Resolved } from './mount-table.js';
export type { MountStore } from './mount-store.js';
export { StaticFileMountStore } from './static-file-mount-store.js';
export { RootMountStore } from './root-mount-store.js';
export { Namespace } from './namespace.js';
