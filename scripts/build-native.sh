#!/usr/bin/env bash
# Builds the FUSE binding fork (native/fuse: fuse-native's binding plus the fast read path) into
# build/native/fuse-native.node with gcc directly: N-API needs only node's headers (no node-gyp, no
# header download, no libnode link). Headers: node's (/usr/include/node, or NODE_INCLUDE), libfuse 2's
# and napi-macros' from node_modules; links Debian's libfuse.so.2 (package libfuse2), as the
# prebuilt fuse-native binding does. Without a compiler or headers it says so and exits 1: the mount
# then runs on stock fuse-native (src/fuse/fuse-binding.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_INCLUDE=${NODE_INCLUDE:-$(node -p "require('path').join(process.execPath, '../../include/node')")}
[ -f "$NODE_INCLUDE/node_api.h" ] || NODE_INCLUDE=/usr/include/node
for need in "$NODE_INCLUDE/node_api.h" node_modules/napi-macros/napi-macros.h node_modules/fuse-shared-library-linux/libfuse/include/fuse.h; do
  [ -f "$need" ] || { echo "build-native: $need is missing" >&2; exit 1; }
done
CC=${CC:-gcc}
command -v "$CC" >/dev/null || { echo "build-native: no C compiler ($CC; Debian: build-essential)" >&2; exit 1; }
mkdir -p build/native
"$CC" -shared -fPIC -O2 -Wall -D_FILE_OFFSET_BITS=64 -DNODE_GYP_MODULE_NAME=fuse \
  -I"$NODE_INCLUDE" -Inode_modules/napi-macros -Inode_modules/fuse-shared-library-linux/libfuse/include \
  -o build/native/fuse-native.node.tmp native/fuse/fuse-native.c native/fuse/fast-read.c -l:libfuse.so.2 -lpthread
mv build/native/fuse-native.node.tmp build/native/fuse-native.node
echo "build-native: build/native/fuse-native.node"
