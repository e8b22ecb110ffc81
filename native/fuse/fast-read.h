// Cached FUSE reads answered on libfuse's thread (fast-read.c).
#ifndef ALLUXIO_FAST_READ_H
#define ALLUXIO_FAST_READ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <node_api.h>

/**
 * The read of `len` bytes at `offset` of open file `fh` from registered page-file descriptors:
 * the byte count (0 at the end of the file), or -1 when it must go to JS (no entry, a page
 * without a descriptor, a failed or short pread).
 */
ssize_t fast_read_try(uint64_t fh, char *buf, size_t len, off_t offset);

/**
 * The page-cache flags JS chose for the open that returns handle `fh` (bit 0 keep_cache, bit 1
 * direct_io), taken once; -1 when JS chose none. Called on node's main thread (the open's signal).
 */
int open_flags_take(uint64_t fh);

/** Adds the table's N-API functions (fast_read_*) to the binding's exports. */
void fast_read_export(napi_env env, napi_value exports);

#endif
