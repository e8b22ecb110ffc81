// fuse-native's own index.js (node_modules/fuse-native, unchanged) run with the binding built from
// this folder (build/native/fuse-native.node, scripts/build-native.sh) instead of its prebuilt one:
// a fresh module instance of that file whose require('node-gyp-build') returns our binding. Only the
// C side is forked (see fuse-native.c's header); the JS side stays upstream's.
'use strict'
const fs = require('fs')
const path = require('path')
const Module = require('module')

/** { Fuse, binding } with the binding at `addonPath`; throws when it cannot be loaded. */
module.exports = function load (addonPath) {
  const binding = require(addonPath)
  if (typeof binding.fast_read_open !== 'function') throw new Error(`${addonPath} has no fast_read_open`)
  const file = require.resolve('fuse-native')
  const m = new Module(file, module)
  m.filename = file
  m.paths = Module._nodeModulePaths(path.dirname(file))
  const plain = m.require.bind(m)
  m.require = (id) => (id === 'node-gyp-build' ? () => binding : plain(id))
  m._compile(fs.readFileSync(file, 'utf8'), file)
  return { Fuse: m.exports, binding }
}
