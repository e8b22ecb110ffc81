// A read-only passthrough FUSE mount of a local directory with the same binding the Alluxio mount
// uses (fuse-native): the binding's own ceiling for bench/fuse-read.sh.
//   node bench/fuse-passthrough.mjs <source dir> <mount point>
import Fuse from 'fuse-native';
import fs from 'node:fs';
import path from 'node:path';

const [src, mnt] = process.argv.slice(2);
const p = (x) => path.join(src, x);
const err = (cb) => (e) => cb(Fuse[e.code] ?? Fuse.EIO);
const ops = {
  getattr: (x, cb) => fs.stat(p(x), (e, st) => (e ? err(cb)(e) : cb(0, st))),
  readdir: (x, cb) => fs.readdir(p(x), (e, names) => (e ? err(cb)(e) : cb(0, names))),
  open: (x, flags, cb) => fs.open(p(x), 'r', (e, fd) => (e ? err(cb)(e) : cb(0, fd))),
  read: (x, fd, buf, len, pos, cb) => fs.read(fd, buf, 0, len, pos, (e, n) => cb(e ? Fuse.EIO : n)),
  release: (x, fd, cb) => fs.close(fd, () => cb(0)),
};
const fuse = new Fuse(mnt, ops, { kernelCache: true, entryTimeout: 60, attrTimeout: 60, mkdir: true });
fuse._fuseOptions = () => '-oallow_other,kernel_cache,entry_timeout=60,attr_timeout=60,big_writes';
fuse.mount((e) => {
  if (e) { console.error(e.message); process.exit(1); }
  console.log('mounted');
});
const stop = () => fuse.unmount(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
