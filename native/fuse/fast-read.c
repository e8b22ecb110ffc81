// Cached FUSE reads answered on libfuse's thread, without the hop to node's main thread that every
// fuse-native call takes (uv_async_send + uv_sem_wait, then back): alluxio-ts issue 12, random 4 KiB.
//
// JS (src/fuse/fast-reads.ts) keeps a table here of the page-file descriptors whose whole page it
// has checked against the sidecar CRC of the version an open file is pinned to
// (src/client/direct-pages.ts). One FILE entry per (file, version): page size, file length, and per
// page a descriptor or -1. Every open file handle (info->fh) pinned to that version points at it.
//
// Trust rule: C never preads a descriptor number JS may have closed (the kernel may have reused the
// number for another file). Registering a page dup()s JS's descriptor; C closes its own dup when the
// page is dropped or the last handle of the entry is released, under the table's write lock, which
// no pread holds (preads hold the read lock). A page file is replaced by rename, never rewritten in
// place, so a dup of a checked descriptor keeps serving that version's bytes. The dups are bounded
// (FAST_MAX_DUPS, DirectPages' own MAX_CHECKED_FDS): JS holds at most that many checked pages and
// drops each from here when it forgets it.
//
// The worker's evictor must see these reads as uses (else it evicts the hottest pages first): each
// read marks its pages in the entry's `touched` bytes (a relaxed atomic store, under the read lock
// the read already holds), and JS drains them every second (fast_read_drain_touched, an atomic
// exchange per byte) to report them to the worker (src/client/page-read-report.ts).
#define _GNU_SOURCE
#include "fast-read.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FAST_BUCKETS 1024
#define FAST_MAX_DUPS 1024

typedef struct fast_file {
  uint32_t key;
  uint32_t refs;
  uint64_t page_size;
  uint64_t length;
  uint32_t pages;
  int *fds;          // our dup per page, or -1
  uint8_t *failed;   // a pread of that page failed: not used again until it is replaced or dropped
  uint8_t *touched;  // served here since the last drain (atomic bytes)
  uint8_t any;       // some touched byte may be set (atomic): a cold entry is not scanned
  struct fast_file *next;
} fast_file_t;

typedef struct fast_handle {
  uint64_t fh;
  fast_file_t *file;
  struct fast_handle *next;
} fast_handle_t;

static fast_file_t *files[FAST_BUCKETS];
static fast_handle_t *handles[FAST_BUCKETS];
static pthread_rwlock_t lock;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static uint32_t dups;  // under the write lock
static uint64_t served_reads, served_bytes, served_ns;  // atomics

static void init_lock(void) {
  pthread_rwlockattr_t a;
  pthread_rwlockattr_init(&a);
  // JS (the writer) must not starve behind a steady stream of reads.
  pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&lock, &a);
  pthread_rwlockattr_destroy(&a);
}

static fast_file_t *find_file(uint32_t key) {
  for (fast_file_t *f = files[key % FAST_BUCKETS]; f != NULL; f = f->next) if (f->key == key) return f;
  return NULL;
}

static fast_handle_t *find_handle(uint64_t fh) {
  for (fast_handle_t *h = handles[fh % FAST_BUCKETS]; h != NULL; h = h->next) if (h->fh == fh) return h;
  return NULL;
}

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t) t.tv_sec * 1000000000u + (uint64_t) t.tv_nsec;
}

ssize_t fast_read_try(uint64_t fh, char *buf, size_t len, off_t offset) {
  pthread_once(&lock_once, init_lock);
  uint64_t started = now_ns();
  pthread_rwlock_rdlock(&lock);
  fast_handle_t *h = find_handle(fh);
  if (h == NULL || offset < 0) {
    pthread_rwlock_unlock(&lock);
    return -1;
  }
  fast_file_t *f = h->file;
  uint64_t from = (uint64_t) offset;
  uint64_t end = from + len < f->length ? from + len : f->length;
  if (from >= end) {
    pthread_rwlock_unlock(&lock);
    return 0;
  }
  uint64_t first = from / f->page_size, last = (end - 1) / f->page_size;
  // Every page first: a read goes to JS whole, never half from here.
  for (uint64_t p = first; p <= last; p++) {
    if (p >= f->pages || f->fds[p] < 0 || __atomic_load_n(&f->failed[p], __ATOMIC_RELAXED)) {
      pthread_rwlock_unlock(&lock);
      return -1;
    }
  }
  size_t at = 0;
  for (uint64_t p = first; p <= last; p++) {
    uint64_t base = p * f->page_size;
    uint64_t a = from > base ? from : base;
    uint64_t b = end < base + f->page_size ? end : base + f->page_size;
    while (a < b) {
      ssize_t got = pread(f->fds[p], buf + at, b - a, (off_t) (a - base));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        // Failed (or short: the page file is shorter than the page): never used again; JS decides.
        if (got < 0) __atomic_store_n(&f->failed[p], 1, __ATOMIC_RELAXED);
        pthread_rwlock_unlock(&lock);
        return -1;
      }
      a += (uint64_t) got;
      at += (size_t) got;
    }
  }
  // Marked only when not yet marked: a hot page read from many threads keeps its cache line shared.
  for (uint64_t p = first; p <= last; p++) {
    if (!__atomic_load_n(&f->touched[p], __ATOMIC_RELAXED)) __atomic_store_n(&f->touched[p], 1, __ATOMIC_RELAXED);
  }
  // The fence pairs with the drain's: either the drain's exchange of `any` comes after this read of
  // it (its scan then sees the pages marked above) or this read sees 0 and sets it again.
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (!__atomic_load_n(&f->any, __ATOMIC_RELAXED)) __atomic_store_n(&f->any, 1, __ATOMIC_RELAXED);
  pthread_rwlock_unlock(&lock);
  __atomic_add_fetch(&served_reads, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&served_bytes, at, __ATOMIC_RELAXED);
  __atomic_add_fetch(&served_ns, now_ns() - started, __ATOMIC_RELAXED);
  return (ssize_t) at;
}

// ---- changes from JS (node's main thread), each under the write lock

static void drop_page(fast_file_t *f, uint32_t p) {
  if (p >= f->pages || f->fds[p] < 0) return;
  close(f->fds[p]);
  f->fds[p] = -1;
  f->failed[p] = 0;
  dups--;
}

static void free_file(fast_file_t *f) {
  for (uint32_t p = 0; p < f->pages; p++) drop_page(f, p);
  fast_file_t **at = &files[f->key % FAST_BUCKETS];
  while (*at != f) at = &(*at)->next;
  *at = f->next;
  free(f->fds);
  free(f->failed);
  free(f->touched);
  free(f);
}

static napi_value args(napi_env env, napi_callback_info info, size_t n, napi_value *argv) {
  size_t got = n;
  napi_get_cb_info(env, info, &got, argv, NULL, NULL);
  return NULL;
}

static double arg_number(napi_env env, napi_value v) {
  double d = -1;
  napi_get_value_double(env, v, &d);
  return d;
}

static napi_value boolean(napi_env env, int b) {
  napi_value r;
  napi_get_boolean(env, b, &r);
  return r;
}

/** fast_read_open(fh, key, pageSize, length): handle fh reads the entry `key` (made if new). False: refused. */
static napi_value js_open(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  args(env, info, 4, argv);
  double fh = arg_number(env, argv[0]), key = arg_number(env, argv[1]), ps = arg_number(env, argv[2]), length = arg_number(env, argv[3]);
  if (fh < 0 || key < 0 || ps < 1 || length < 0) return boolean(env, 0);
  uint64_t pages = ((uint64_t) length + (uint64_t) ps - 1) / (uint64_t) ps;
  if (pages > UINT32_MAX) return boolean(env, 0);
  pthread_once(&lock_once, init_lock);
  pthread_rwlock_wrlock(&lock);
  int ok = 0;
  fast_file_t *f = find_file((uint32_t) key);
  if (find_handle((uint64_t) fh) != NULL) goto done;
  if (f == NULL) {
    f = calloc(1, sizeof(fast_file_t));
    if (f == NULL) goto done;
    f->key = (uint32_t) key;
    f->page_size = (uint64_t) ps;
    f->length = (uint64_t) length;
    f->pages = (uint32_t) pages;
    f->fds = malloc(sizeof(int) * (pages > 0 ? pages : 1));
    f->failed = calloc(pages > 0 ? pages : 1, 1);
    f->touched = calloc(pages > 0 ? pages : 1, 1);
    if (f->fds == NULL || f->failed == NULL || f->touched == NULL) {
      free(f->fds);
      free(f->failed);
      free(f->touched);
      free(f);
      goto done;
    }
    for (uint64_t p = 0; p < pages; p++) f->fds[p] = -1;
    f->next = files[f->key % FAST_BUCKETS];
    files[f->key % FAST_BUCKETS] = f;
  } else if (f->page_size != (uint64_t) ps || f->length != (uint64_t) length) {
    goto done;
  }
  fast_handle_t *h = malloc(sizeof(fast_handle_t));
  if (h == NULL) {
    if (f->refs == 0) free_file(f);
    goto done;
  }
  h->fh = (uint64_t) fh;
  h->file = f;
  h->next = handles[h->fh % FAST_BUCKETS];
  handles[h->fh % FAST_BUCKETS] = h;
  f->refs++;
  ok = 1;
done:
  pthread_rwlock_unlock(&lock);
  return boolean(env, ok);
}

/** fast_read_release(fh): the handle is gone; the entry's dups are closed with its last handle. */
static napi_value js_release(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  args(env, info, 1, argv);
  double fh = arg_number(env, argv[0]);
  if (fh < 0) return NULL;
  pthread_once(&lock_once, init_lock);
  pthread_rwlock_wrlock(&lock);
  fast_handle_t **at = &handles[(uint64_t) fh % FAST_BUCKETS];
  while (*at != NULL && (*at)->fh != (uint64_t) fh) at = &(*at)->next;
  fast_handle_t *h = *at;
  if (h != NULL) {
    *at = h->next;
    if (--h->file->refs == 0) free_file(h->file);
    free(h);
  }
  pthread_rwlock_unlock(&lock);
  return NULL;
}

/** fast_read_set_page(key, page, fd): serves page from a dup of fd (replacing any other). False: refused. */
static napi_value js_set_page(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  args(env, info, 3, argv);
  double key = arg_number(env, argv[0]), p = arg_number(env, argv[1]), fd = arg_number(env, argv[2]);
  if (key < 0 || p < 0 || fd < 0) return boolean(env, 0);
  pthread_once(&lock_once, init_lock);
  pthread_rwlock_wrlock(&lock);
  int ok = 0;
  fast_file_t *f = find_file((uint32_t) key);
  if (f != NULL && p < f->pages) {
    drop_page(f, (uint32_t) p);
    if (dups < FAST_MAX_DUPS) {
      int d = fcntl((int) fd, F_DUPFD_CLOEXEC, 0);
      if (d >= 0) {
        f->fds[(uint32_t) p] = d;
        dups++;
        ok = 1;
      }
    }
  }
  pthread_rwlock_unlock(&lock);
  return boolean(env, ok);
}

/** fast_read_drop_page(key, page): C stops serving that page and closes its dup. */
static napi_value js_drop_page(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  args(env, info, 2, argv);
  double key = arg_number(env, argv[0]), p = arg_number(env, argv[1]);
  if (key < 0 || p < 0) return NULL;
  pthread_once(&lock_once, init_lock);
  pthread_rwlock_wrlock(&lock);
  fast_file_t *f = find_file((uint32_t) key);
  if (f != NULL) drop_page(f, (uint32_t) p);
  pthread_rwlock_unlock(&lock);
  return NULL;
}

/** fast_read_drain_touched(key): the pages of entry `key` served here since the last drain, cleared. */
static napi_value js_drain_touched(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  args(env, info, 1, argv);
  double key = arg_number(env, argv[0]);
  napi_value arr;
  napi_create_array(env, &arr);
  if (key < 0) return arr;
  pthread_once(&lock_once, init_lock);
  // The read lock keeps the entry alive; a page marked meanwhile is seen now or at the next drain
  // (its read sets `any` again: see the fence in fast_read_try).
  pthread_rwlock_rdlock(&lock);
  fast_file_t *f = find_file((uint32_t) key);
  if (f != NULL && __atomic_exchange_n(&f->any, 0, __ATOMIC_SEQ_CST)) {
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t n = 0;
    for (uint32_t p = 0; p < f->pages; p++) {
      if (!__atomic_load_n(&f->touched[p], __ATOMIC_RELAXED) || !__atomic_exchange_n(&f->touched[p], 0, __ATOMIC_RELAXED)) continue;
      napi_value v;
      napi_create_uint32(env, p, &v);
      napi_set_element(env, arr, n++, v);
    }
  }
  pthread_rwlock_unlock(&lock);
  return arr;
}

// ---- per-open page-cache flags: set by JS in its open handler (fuse_open_flags), taken by the
// open's signal (open_flags_take), both on node's main thread: no lock. A ring: an open that failed
// after JS set its flags leaves a slot no later handle number matches (numbers are not reused
// while open, and the ring is overwritten oldest first).
#define OPEN_FLAG_SLOTS 256
static struct { uint64_t fh; int flags; } open_flags[OPEN_FLAG_SLOTS];
static uint32_t open_flags_next;

int open_flags_take(uint64_t fh) {
  for (uint32_t i = 0; i < OPEN_FLAG_SLOTS; i++) {
    if (open_flags[i].flags >= 0 && open_flags[i].fh == fh && fh != 0) {
      int f = open_flags[i].flags;
      open_flags[i].flags = -1;
      open_flags[i].fh = 0;
      return f;
    }
  }
  return -1;
}

/** fuse_open_flags(fh, keepCache, directIo): the open returning handle fh gets these flags. */
static napi_value js_open_flags(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  args(env, info, 3, argv);
  double fh = arg_number(env, argv[0]);
  bool keep = false, direct = false;
  napi_get_value_bool(env, argv[1], &keep);
  napi_get_value_bool(env, argv[2], &direct);
  if (fh <= 0) return NULL;
  uint32_t i = open_flags_next++ % OPEN_FLAG_SLOTS;
  open_flags[i].fh = (uint64_t) fh;
  open_flags[i].flags = (keep ? 1 : 0) | (direct ? 2 : 0);
  return NULL;
}

/** fast_read_stats(): [reads served here, their bytes, their total ns, dups held]. */
static napi_value js_stats(napi_env env, napi_callback_info info) {
  (void) info;
  double v[4] = {
    (double) __atomic_load_n(&served_reads, __ATOMIC_RELAXED),
    (double) __atomic_load_n(&served_bytes, __ATOMIC_RELAXED),
    (double) __atomic_load_n(&served_ns, __ATOMIC_RELAXED),
    0,
  };
  pthread_once(&lock_once, init_lock);
  pthread_rwlock_rdlock(&lock);
  v[3] = dups;
  pthread_rwlock_unlock(&lock);
  napi_value arr;
  napi_create_array_with_length(env, 4, &arr);
  for (uint32_t i = 0; i < 4; i++) {
    napi_value n;
    napi_create_double(env, v[i], &n);
    napi_set_element(env, arr, i, n);
  }
  return arr;
}

void fast_read_export(napi_env env, napi_value exports) {
  pthread_once(&lock_once, init_lock);
  for (uint32_t i = 0; i < OPEN_FLAG_SLOTS; i++) open_flags[i].flags = -1;
  napi_property_descriptor d[] = {
    { "fast_read_open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL },
    { "fast_read_release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL },
    { "fast_read_set_page", NULL, js_set_page, NULL, NULL, NULL, napi_default, NULL },
    { "fast_read_drop_page", NULL, js_drop_page, NULL, NULL, NULL, napi_default, NULL },
    { "fast_read_stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL },
    { "fast_read_drain_touched", NULL, js_drain_touched, NULL, NULL, NULL, napi_default, NULL },
    { "fuse_open_flags", NULL, js_open_flags, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof(d) / sizeof(d[0]), d);
}
