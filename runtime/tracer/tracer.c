/*
 * tracer.c - the tracer's state: start/stop, recording of allocations and
 * frees, traced memory counters. Snapshots of the live traces are taken in
 * take_snapshot.c.
 *
 * Locking, from the outside in: control_lock serialises start, stop,
 * clear_traces, take_snapshot and the build of requested copies
 * (capture.c); the trace-table shard locks protect traces
 * (and, as explained in traceback.c, the validity of traceback ids); the
 * depot lock protects traceback inserts. The allocation path takes only one
 * shard lock (and the depot lock when it meets a new traceback).
 */
#include "tracer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

_Atomic int __tm_tracing;

static pthread_mutex_t control_lock = PTHREAD_MUTEX_INITIALIZER;

void tm_control_lock(void) { pthread_mutex_lock(&control_lock); }
void tm_control_unlock(void) { pthread_mutex_unlock(&control_lock); }
static _Atomic unsigned int traceback_limit = 1;
static _Atomic size_t traced_peak;
static _Atomic uint64_t lost_traces;
/* Bumped, with every shard locked, whenever the depot is reset: a traceback
 * id saved under an older generation must not be put back in the table. */
static uint64_t depot_generation;

/* ---- Frame buffers ----
 * Most tracebacks are short and fit a buffer on the stack. Longer limits use
 * a per-thread buffer of the maximum size, mapped on first use and given back
 * when the thread exits. */
#define STACK_FRAMES 64

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static pthread_key_t frame_buffer_key;
static _Thread_local tm_site_t *frame_buffer;

static void unmap_frame_buffer(void *buffer) {
  tm_os_unmap(buffer, TRACEMALLOC_MAX_NFRAME * sizeof(tm_site_t));
}

static tm_site_t *thread_frame_buffer(void) {
  if (!frame_buffer) {
    frame_buffer = tm_os_map(TRACEMALLOC_MAX_NFRAME * sizeof(tm_site_t));
    if (frame_buffer)
      pthread_setspecific(frame_buffer_key, frame_buffer);
  }
  return frame_buffer;
}

/* ---- fork ----
 * Hold every lock across fork() so the child starts with consistent tables
 * and locks nobody holds. The child releases what the parent's forking
 * thread took, as that thread (it is the child's only one): the shard locks
 * are plain futex words, which the release sets to 0 (waking nobody: the
 * child has no waiters), so they need no re-initialisation there. */
static void before_fork(void) {
  pthread_mutex_lock(&control_lock);
  tm_table_lock_all();
  tm_traceback_lock();
}

static void after_fork(void) {
  tm_traceback_unlock();
  tm_table_unlock_all();
  pthread_mutex_unlock(&control_lock);
}

/* ---- Capture hooks ----
 * capture.c copies the live traces when a snapshot is asked for where none
 * can be taken (a signal handler, the growth trigger) and builds the copies
 * later with the snapshot builder. The tracer raises nothing and builds
 * nothing: it checks tm_capture_wanted and calls back through the hooks the
 * first request installed, so recording never depends on the snapshot
 * library. */
_Atomic int tm_capture_wanted;
static const tm_capture_hooks *_Atomic capture_hooks;

void tm_set_capture_hooks(const tm_capture_hooks *hooks) {
  atomic_store_explicit(&capture_hooks, hooks, memory_order_release);
}

static const tm_capture_hooks *installed_capture_hooks(void) {
  return atomic_load_explicit(&capture_hooks, memory_order_acquire);
}

void tm_capture_take(void) {
  const tm_capture_hooks *hooks = installed_capture_hooks();
  if (hooks)
    hooks->take();
}

/* The copies a request made in the parent are the parent's to write; none
 * is half made (a copy is made with every shard lock held). */
static void after_fork_in_child(void) {
  const tm_capture_hooks *hooks = installed_capture_hooks();
  if (hooks)
    hooks->forget_in_child();
  after_fork();
}

static void release_cell(void *cell);
static pthread_key_t cell_key;

static void setup(void) {
  pthread_key_create(&frame_buffer_key, unmap_frame_buffer);
  pthread_key_create(&cell_key, release_cell);
  pthread_atfork(before_fork, after_fork, after_fork_in_child);
}

/* At load time, not at the first start: control_lock is taken by
 * take_snapshot and clear_traces even while not tracing, and a fork in the
 * middle of one must not leave the child a lock nobody will release. */
__attribute__((constructor)) static void setup_at_load(void) {
  pthread_once(&setup_once, setup);
}

/* ---- Copies of the live traces ----
 * For snapshots (take_snapshot.c) and requested copies (capture.c); here,
 * beside the state it reads. (The traces at the peak are a raw copy of the
 * table instead: peak_copy.c.) */
size_t tm_copy_traces_locked(tm_trace_copy *copy) {
  size_t total_size;
  copy->ntracebacks = tm_traceback_count();
  copy->limit = tracemalloc_get_traceback_limit();
  copy->lost = tracemalloc_get_lost_traces();
  copy->ntraces = tm_table_copy_locked(copy->traces, &total_size);
  if (copy->counts)
    tm_counts_copy_locked(copy->counts, copy->ntracebacks);
  if (copy->timeline) {
    size_t now, peak;
    tracemalloc_get_traced_memory(&now, &peak);
    copy->ntimeline = tm_timeline_copy_locked(copy->timeline, now, peak);
  }
  return total_size;
}

/* ---- Counters ---- */

/* Growth trigger: when traced memory reaches growth_threshold, the hook is
 * called and the threshold moves growth_step above the current size. */
static _Atomic size_t growth_threshold = SIZE_MAX;
static size_t growth_step;
static void (*growth_hook)(void);

void tm_set_growth_trigger(size_t step, void (*hook)(void)) {
  growth_step = step;
  growth_hook = hook;
  atomic_store_explicit(&growth_threshold, step, memory_order_release);
}

static void crossed_threshold(size_t now, size_t threshold) {
  size_t next = now + growth_step < now ? SIZE_MAX : now + growth_step;
  /* Only the thread that moves the threshold calls the hook. */
  if (atomic_compare_exchange_strong_explicit(&growth_threshold, &threshold,
                                              next, memory_order_acq_rel,
                                              memory_order_relaxed))
    growth_hook();
}

/* Traced memory is counted per thread and summed on read. A counter that
 * every allocation and free of every thread writes was the one cache line
 * the threads fought over: with two threads on CPUs that share no cache,
 * each step took twice the CPU time. Each thread adds to a cell of its own
 * (only its owner writes it, with a shard lock held), and moves the cell's
 * count to traced_flushed when it passes +-COUNT_BATCH and when the thread
 * exits. A thread checks the peak against traced_flushed plus its own
 * cell: exact with one thread; with several, the peak may be off by what
 * the others have not flushed yet (under COUNT_BATCH each, either way: a
 * thread that frees blocks others allocated counts down). The current size
 * adds every cell, so it is exact whenever no allocation is under way. */
#define COUNT_BATCH ((size_t)64 * 1024)

struct counter_cell {
  _Atomic size_t pending; /* modulo 2^N: may stand for a negative count */
  _Atomic int in_use;
  struct counter_cell *next;
} __attribute__((aligned(64)));

static _Atomic size_t traced_flushed;
/* Every cell ever made (they are reused, never unmapped). */
static struct counter_cell *_Atomic cells;
static pthread_mutex_t cells_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct counter_cell *thread_cell;

/* A free cell for this thread, or NULL if none can be mapped. Called with a
 * shard lock held, so a fork cannot catch cells_lock held. */
static TM_COLD struct counter_cell *claim_cell(void) {
  struct counter_cell *cell;
  /* pthread_setspecific may allocate, and this may run on a free path. */
  tm_reentrant++;
  pthread_mutex_lock(&cells_lock);
  for (cell = atomic_load_explicit(&cells, memory_order_relaxed); cell;
       cell = cell->next) {
    int unused = 0;
    if (atomic_compare_exchange_strong_explicit(&cell->in_use, &unused, 1,
                                                memory_order_acquire,
                                                memory_order_relaxed))
      break;
  }
  if (!cell) {
    const size_t per_page = 4096 / sizeof(struct counter_cell);
    struct counter_cell *page = tm_os_map(4096);
    for (size_t i = 0; page && i < per_page; i++) {
      page[i].next = atomic_load_explicit(&cells, memory_order_relaxed);
      atomic_store_explicit(&cells, &page[i], memory_order_release);
    }
    if (page) {
      cell = &page[per_page - 1];
      atomic_store_explicit(&cell->in_use, 1, memory_order_relaxed);
    }
  }
  pthread_mutex_unlock(&cells_lock);
  if (cell) {
    thread_cell = cell;
    pthread_setspecific(cell_key, cell);
  }
  tm_reentrant--;
  return cell;
}

/* At thread exit: its count goes to traced_flushed, its cell to the next
 * thread. One shard lock keeps drop_all_traces from clearing in between. */
static void release_cell(void *arg) {
  struct counter_cell *cell = arg;
  tm_table_key key;
  tm_table_key_init(&key, 0, 0);
  tm_table_lock(&key);
  atomic_fetch_add_explicit(
      &traced_flushed,
      atomic_load_explicit(&cell->pending, memory_order_relaxed),
      memory_order_relaxed);
  atomic_store_explicit(&cell->pending, 0, memory_order_relaxed);
  tm_table_unlock(&key);
  thread_cell = NULL;
  atomic_store_explicit(&cell->in_use, 0, memory_order_release);
}

/* Add delta (modulo 2^N) to this thread's count, with a shard lock held;
 * returns the traced size as this thread sees it. */
static size_t count_traced(size_t delta) {
  struct counter_cell *cell = thread_cell ? thread_cell : claim_cell();
  if (!cell)
    return atomic_fetch_add_explicit(&traced_flushed, delta,
                                     memory_order_relaxed) +
           delta;
  size_t pending =
      atomic_load_explicit(&cell->pending, memory_order_relaxed) + delta;
  /* |pending| >= COUNT_BATCH, pending read as a signed count. */
  if (pending + COUNT_BATCH >= 2 * COUNT_BATCH) {
    atomic_fetch_add_explicit(&traced_flushed, pending, memory_order_relaxed);
    pending = 0;
  }
  atomic_store_explicit(&cell->pending, pending, memory_order_relaxed);
  return atomic_load_explicit(&traced_flushed, memory_order_relaxed) + pending;
}

/* The traced size: what was flushed plus every thread's count. */
static size_t traced_now(void) {
  size_t now = atomic_load_explicit(&traced_flushed, memory_order_relaxed);
  for (struct counter_cell *cell =
           atomic_load_explicit(&cells, memory_order_acquire);
       cell; cell = cell->next)
    now += atomic_load_explicit(&cell->pending, memory_order_relaxed);
  return now;
}

/* With every shard lock held. */
static void clear_counts(void) {
  atomic_store_explicit(&traced_flushed, 0, memory_order_relaxed);
  for (struct counter_cell *cell =
           atomic_load_explicit(&cells, memory_order_acquire);
       cell; cell = cell->next)
    atomic_store_explicit(&cell->pending, 0, memory_order_relaxed);
}

/* A new peak: the traces at the peak (peak_copy.c) may want a copy. */
static void raise_peak(size_t now, size_t peak) {
  while (now > peak && !atomic_compare_exchange_weak_explicit(
                           &traced_peak, &peak, now, memory_order_relaxed,
                           memory_order_relaxed))
    ;
  tm_peak_check_rise(now);
}

static void add_traced(size_t size) {
  size_t now = count_traced(size);
  /* Negative: this thread freed blocks whose allocation another thread has
   * not flushed yet. The true size is at least 0: nothing to check. */
  if (now > SIZE_MAX / 2)
    return;
  size_t peak = atomic_load_explicit(&traced_peak, memory_order_relaxed);
  if (now > peak)
    raise_peak(now, peak);
  size_t threshold =
      atomic_load_explicit(&growth_threshold, memory_order_relaxed);
  if (now >= threshold)
    crossed_threshold(now, threshold);
  if (__builtin_expect(tm_timeline_above(now), 0))
    tm_timeline_moved(now, now > peak ? now : peak);
}

static void sub_traced(size_t size) {
  size_t now = count_traced(-size);
  if (__builtin_expect(tm_timeline_below(now), 0))
    tm_timeline_moved(now,
                      atomic_load_explicit(&traced_peak, memory_order_relaxed));
}

static void count_lost(void) {
  atomic_fetch_add_explicit(&lost_traces, 1, memory_order_relaxed);
}

/* Drop the trace a reused address still has (its block is gone). */
static void drop_stale(const tm_table_key *key) {
  tm_trace_entry stale;
  if (tm_table_take(key, &stale))
    sub_traced(stale.size);
}

/* With the shard locked: store the trace, replacing an older one. */
static int put_locked(const tm_table_key *key, size_t size,
                      uint32_t traceback_id) {
  size_t old_size;
  if (tm_table_put(key, size, traceback_id, &old_size) < 0) {
    count_lost();
    drop_stale(key);
    return -1;
  }
  if (old_size != SIZE_MAX)
    sub_traced(old_size);
  add_traced(size);
  return 0;
}

/* ---- Recording ----
 * Every change to the live traces starts with tm_capture_if_wanted(): a
 * snapshot requested by a signal or the growth trigger copies the traces
 * as they were before the first change after the request (capture.c).
 * Every change that may lower traced memory also starts with
 * tm_peak_copy_if_wanted(): the traces at the peak (peak_copy.c). */

/* The frames of an allocation, captured and hashed before the shard lock
 * is taken (they read nothing shared): the lock is held as briefly as the
 * interning allows. frames is NULL until captured. */
typedef struct captured_traceback {
  tm_site_t *frames;
  unsigned int nframe, total_nframe;
  uint32_t hash;
} captured_traceback;

static TM_COLD int capture(tm_site_t site, unsigned int limit,
                           tm_site_t *stack_frames, captured_traceback *tb) {
  tb->frames = limit <= STACK_FRAMES ? stack_frames : thread_frame_buffer();
  if (!tb->frames)
    return -1;
  tb->nframe = tm_capture_frames(site, tb->frames, limit, &tb->total_nframe);
  tb->hash = tm_traceback_hash(tb->frames, tb->nframe, tb->total_nframe);
  return 0;
}

/* With the shard locked: the id of the allocation's traceback. The thread's
 * cache may have given one; it is used if still valid, else the frames are
 * captured (if not yet), interned, and their id cached. */
static int traceback_id_locked(tm_site_t site, unsigned int limit,
                               tm_site_t *stack_frames, captured_traceback *tb,
                               const tm_traceback_probe *probe, int cached,
                               uint32_t *id) {
  if (cached && tm_traceback_cache_current_locked())
    return 0;
  if (!tb->frames && capture(site, limit, stack_frames, tb) < 0)
    return -1;
  if (tm_traceback_intern(tb->frames, tb->nframe, tb->total_nframe, tb->hash,
                          id) < 0)
    return -1;
  tm_traceback_cache_store_locked(probe, *id);
  return 0;
}

int tm_record_alloc(unsigned int domain, void *ptr, size_t size,
                    tm_site_t site) {
  tm_capture_if_wanted();
  /* Looking the traceback up in the thread's cache hides the slot's miss. */
  tm_table_key key;
  tm_table_key_init(&key, domain, (uintptr_t)ptr);
  int status = 0;
  int saved_errno = errno;
  tm_reentrant++;
  unsigned int limit =
      atomic_load_explicit(&traceback_limit, memory_order_relaxed);
  tm_site_t stack_frames[STACK_FRAMES];
  captured_traceback tb = {.frames = NULL};
  tm_traceback_probe probe;
  uint32_t traceback_id;
  int cached = tm_traceback_cache_find(site, limit, &probe, &traceback_id);
  if (!cached && capture(site, limit, stack_frames, &tb) < 0) {
    count_lost();
    status = -1;
  } else {
    tm_table_lock(&key);
    /* Tracing may have stopped since the caller looked. */
    if (!atomic_load_explicit(&__tm_tracing, memory_order_relaxed)) {
      /* Nothing to record. */
    } else if (traceback_id_locked(site, limit, stack_frames, &tb, &probe,
                                   cached, &traceback_id) < 0) {
      count_lost();
      drop_stale(&key);
      status = -1;
    } else {
      tm_count_allocation(domain, key.ptr, size, traceback_id);
      status = put_locked(&key, size, traceback_id);
    }
    tm_table_unlock(&key);
  }
  tm_reentrant--;
  errno = saved_errno;
  return status;
}

void tm_untrack_begin(tm_table_key *key, unsigned int domain, void *ptr) {
  tm_capture_if_wanted();
  tm_peak_copy_if_wanted();
  tm_table_key_init(key, domain, (uintptr_t)ptr);
  int saved_errno = errno;
  tm_table_lock(key);
  errno = saved_errno;
}

void tm_untrack_end(const tm_table_key *key) {
  int saved_errno = errno;
  tm_trace_entry freed;
  if (tm_table_take(key, &freed)) {
    sub_traced(freed.size);
    tm_count_free(&freed);
  }
  tm_table_unlock(key);
  errno = saved_errno;
}

void tm_record_free(unsigned int domain, void *ptr) {
  if (!ptr)
    return;
  tm_table_key key;
  tm_untrack_begin(&key, domain, ptr);
  tm_untrack_end(&key);
}

/* A realloc freed the block of taken: a temporary allocation if it was this
 * thread's last (alloc_counts.c). The shard lock keeps the counters from
 * being reset meanwhile. */
void tm_count_realloc_free(const tm_taken_trace *taken) {
  const tm_trace_entry *old = &taken->entry;
  if (!tm_count_is_last_allocation(old->domain, old->ptr))
    return;
  tm_table_key key;
  tm_table_key_init(&key, old->domain, old->ptr);
  tm_table_lock(&key);
  tm_count_free(old);
  tm_table_unlock(&key);
}

int tm_take_trace(unsigned int domain, void *ptr, tm_taken_trace *taken) {
  tm_capture_if_wanted();
  tm_peak_copy_if_wanted();
  int saved_errno = errno;
  tm_table_key key;
  tm_table_key_init(&key, domain, (uintptr_t)ptr);
  tm_table_lock(&key);
  taken->generation = depot_generation;
  int found = tm_table_take(&key, &taken->entry);
  if (found)
    sub_traced(taken->entry.size);
  tm_table_unlock(&key);
  errno = saved_errno;
  return found;
}

void tm_put_back_trace(const tm_taken_trace *taken) {
  tm_capture_if_wanted();
  int saved_errno = errno;
  const tm_trace_entry *entry = &taken->entry;
  tm_table_key key;
  tm_table_key_init(&key, entry->domain, entry->ptr);
  tm_table_lock(&key);
  if (atomic_load_explicit(&__tm_tracing, memory_order_relaxed) &&
      taken->generation == depot_generation)
    put_locked(&key, entry->size, entry->traceback_id);
  tm_table_unlock(&key);
  errno = saved_errno;
}

/* ---- Unloaded code ----
 * The order of before_fork: control_lock keeps take_snapshot from reading
 * frames, the shard locks keep every interning thread (and
 * get_object_traceback) out of the depot, the depot lock guards its arena.
 * See traceback.c for why this is enough to rewrite frames in place. */
void tm_forget_code(const tm_code_range *ranges, unsigned int nrange) {
  if (tm_traceback_count() == 0)
    return;
  int saved_errno = errno;
  pthread_mutex_lock(&control_lock);
  tm_table_lock_all();
  tm_traceback_lock();
  tm_traceback_detach_locked(ranges, nrange);
  tm_traceback_unlock();
  tm_table_unlock_all();
  pthread_mutex_unlock(&control_lock);
  errno = saved_errno;
}

/* ---- Domains ----
 * Blocks of other allocators, tracked by hand. The traceback starts at the
 * caller's call site: instrumented code stores it in its shadow-stack slot
 * before calling us. */

int tracemalloc_track(unsigned int domain, uintptr_t ptr, size_t size) {
  if (!tracemalloc_is_tracing())
    return -2;
  if (tm_record_alloc(domain, (void *)ptr, size, NULL) < 0) {
    tm_set_error("out of memory: the trace was not stored");
    return -1;
  }
  return 0;
}

int tracemalloc_untrack(unsigned int domain, uintptr_t ptr) {
  if (!tracemalloc_is_tracing())
    return -2;
  tm_record_free(domain, (void *)ptr);
  return 0;
}

/* ---- Module functions ---- */

/* With control_lock held. */
static void drop_all_traces(void) {
  tm_table_lock_all();
  /* Copies requested before this change, and the ids of every copy. */
  const tm_capture_hooks *hooks = installed_capture_hooks();
  if (hooks)
    hooks->settle_locked();
  tm_peak_clear_locked();
  tm_table_clear_locked();
  tm_traceback_reset();
  tm_counts_reset_locked();
  depot_generation++;
  clear_counts();
  atomic_store_explicit(&traced_peak, 0, memory_order_relaxed);
  atomic_store_explicit(&lost_traces, 0, memory_order_relaxed);
  if (growth_hook)
    atomic_store_explicit(&growth_threshold, growth_step, memory_order_relaxed);
  /* As the peak does, traced memory over time starts again. */
  tm_timeline_restart();
  tm_table_unlock_all();
}

int tracemalloc_start(unsigned int nframe) {
  if (nframe < 1 || nframe > TRACEMALLOC_MAX_NFRAME) {
    tm_set_error("the number of frames must be in range [1; %u]",
                 TRACEMALLOC_MAX_NFRAME);
    return -1;
  }
  pthread_once(&setup_once, setup);
  pthread_mutex_lock(&control_lock);
  /* As in Python: starting again changes nothing, not even the limit. */
  if (!atomic_load_explicit(&__tm_tracing, memory_order_relaxed)) {
    atomic_store_explicit(&traceback_limit, nframe, memory_order_relaxed);
    tm_timeline_restart();
    atomic_store_explicit(&__tm_tracing, 1, memory_order_release);
  }
  pthread_mutex_unlock(&control_lock);
  return 0;
}

void tracemalloc_stop(void) {
  pthread_mutex_lock(&control_lock);
  if (atomic_load_explicit(&__tm_tracing, memory_order_relaxed)) {
    atomic_store_explicit(&__tm_tracing, 0, memory_order_release);
    drop_all_traces();
  }
  pthread_mutex_unlock(&control_lock);
}

int tracemalloc_is_tracing(void) {
  return atomic_load_explicit(&__tm_tracing, memory_order_acquire);
}

void tracemalloc_clear_traces(void) {
  pthread_mutex_lock(&control_lock);
  if (atomic_load_explicit(&__tm_tracing, memory_order_relaxed))
    drop_all_traces();
  pthread_mutex_unlock(&control_lock);
}

unsigned int tracemalloc_get_traceback_limit(void) {
  return atomic_load_explicit(&traceback_limit, memory_order_relaxed);
}

void tracemalloc_get_traced_memory(size_t *current, size_t *peak) {
  size_t now = 0, max = 0;
  if (tracemalloc_is_tracing()) {
    now = traced_now();
    max = atomic_load_explicit(&traced_peak, memory_order_relaxed);
    if (max < now)
      max = now;
  }
  if (current)
    *current = now;
  if (peak)
    *peak = max;
}

void tracemalloc_reset_peak(void) {
  if (!tracemalloc_is_tracing())
    return;
  atomic_store_explicit(&traced_peak, traced_now(), memory_order_relaxed);
  /* The traces at the peak become the live ones (peak_copy.c). */
  tm_peak_mark();
}

size_t tracemalloc_get_tracemalloc_memory(void) { return tm_os_mapped_bytes(); }

uint64_t tracemalloc_get_lost_traces(void) {
  return atomic_load_explicit(&lost_traces, memory_order_relaxed);
}
