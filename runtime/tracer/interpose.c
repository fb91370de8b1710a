/*
 * interpose.c - allocations made by code that was not compiled with the
 * plugin: the C library itself (getline, fopen, strdup called from libc),
 * prebuilt libraries, uninstrumented objects.
 *
 * The runtime defines the malloc family, so the dynamic linker binds every
 * module's calls to them here first (libtracemalloc comes before libc in the
 * lookup order; linked statically, the executable defines them). Each one
 * calls glibc's allocator and, while tracing, records the block with the
 * traceback of the innermost instrumented frame: the call site that an
 * instrumented function stored in its shadow-stack slot before calling the
 * uninstrumented code (the line that called getline). Frees always untrack,
 * so a block allocated by instrumented code and freed by a library leaves
 * no stale trace behind.
 *
 * Calls made by the __tm_* entry points and by the runtime itself arrive with
 * the reentrancy flag set and are passed straight through: they are recorded
 * by the entry point, with the exact site, or not at all.
 *
 * TRACEMALLOC_UNINSTRUMENTED=0 turns the recording of these allocations off
 * (frees are still untracked, to keep the table exact).
 *
 * Not in the runtime library the command-line tools link: they never trace.
 */
#include "realloc.h"
#include "tracer.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

int tm_trace_uninstrumented = 1;

/* aligned_alloc and posix_memalign have no __libc_ names: ask the dynamic
 * linker for the next definition. dlsym may allocate, which lands in
 * malloc below and needs nothing resolved. */
static void *next_symbol(const char *name) {
  int outer = tm_reentrant++;
  void *symbol = dlsym(RTLD_NEXT, name);
  tm_reentrant = outer;
  return symbol;
}

/* Built with AddressSanitizer (TM_SANITIZE=address), the sanitizer's
 * allocator is the program's (its runtime comes first: utils/check-sanitizers
 * preloads it): the runtime must not define the malloc family over it, nor
 * hand glibc's blocks to it. Uninstrumented allocations are then not
 * recorded. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TM_SANITIZER_ALLOCATOR 1
#endif
#endif

#ifndef TM_SANITIZER_ALLOCATOR
/* glibc's allocator under its own names. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

#define LIBC_DOMAIN 0u

static void *traced(void *ptr, size_t size) {
  if (ptr && tm_trace_uninstrumented && tm_should_trace())
    tm_record_alloc(LIBC_DOMAIN, ptr, size, NULL);
  return ptr;
}

void *malloc(size_t size) { return traced(__libc_malloc(size), size); }

void *calloc(size_t nmemb, size_t size) {
  return traced(__libc_calloc(nmemb, size), nmemb * size);
}

void free(void *ptr) {
  if (ptr && tm_should_trace()) {
    /* Raised while the shard lock is held (tm_untrack_begin): a signal
     * handler that allocates meanwhile must not record, and wait for it. */
    tm_reentrant++;
    tm_free_untracking(LIBC_DOMAIN, ptr, __libc_free);
    tm_reentrant--;
  } else {
    __libc_free(ptr);
  }
}

void *realloc(void *ptr, size_t size) {
  if (!tm_should_trace())
    return __libc_realloc(ptr, size);
  tm_realloc_call call;
  tm_realloc_begin(&call, LIBC_DOMAIN, ptr);
  void *result = __libc_realloc(ptr, size);
  /* Even when uninstrumented allocations are not recorded, a traced block
   * that a library moved stays traced. */
  if (tm_trace_uninstrumented || call.old_traced)
    tm_realloc_end(&call, result, size, TM_LIBC_REALLOC_ZERO_FREES, NULL);
  return result;
}

/* The entry points (entry.c) call these four through tm_real_malloc_family.
 * Where it holds these very functions -- no other allocator comes first --
 * it is pointed at glibc's, which these would call anyway: the reentrancy
 * flag the entry points raise makes these pass every call through. */
static __typeof__(malloc) own_malloc __attribute__((alias("malloc")));
static __typeof__(calloc) own_calloc __attribute__((alias("calloc")));
static __typeof__(realloc) own_realloc __attribute__((alias("realloc")));
static __typeof__(free) own_free __attribute__((alias("free")));

#define USE_LIBC_IF_OWN(NAME)                                                  \
  if (__atomic_load_n(&tm_real_malloc_family.NAME, __ATOMIC_RELAXED) ==        \
      own_##NAME)                                                              \
  __atomic_store_n(&tm_real_malloc_family.NAME, __libc_##NAME, __ATOMIC_RELAXED)

__attribute__((constructor)) static void call_libc_directly(void) {
  USE_LIBC_IF_OWN(malloc);
  USE_LIBC_IF_OWN(calloc);
  USE_LIBC_IF_OWN(realloc);
  USE_LIBC_IF_OWN(free);
}

/* As glibc's reallocarray, so that the overflow check and errno match. */
void *reallocarray(void *ptr, size_t nmemb, size_t size) {
  size_t total;
  if (__builtin_mul_overflow(nmemb, size, &total)) {
    errno = ENOMEM;
    return NULL;
  }
  return realloc(ptr, total);
}

void *memalign(size_t alignment, size_t size) {
  return traced(__libc_memalign(alignment, size), size);
}

void *valloc(size_t size) { return traced(__libc_valloc(size), size); }

void *pvalloc(size_t size) { return traced(__libc_pvalloc(size), size); }

void *aligned_alloc(size_t alignment, size_t size) {
  static void *(*real)(size_t, size_t);
  if (!real)
    real = (void *(*)(size_t, size_t))next_symbol("aligned_alloc");
  return traced(real(alignment, size), size);
}

int posix_memalign(void **memptr, size_t alignment, size_t size) {
  static int (*real)(void **, size_t, size_t);
  if (!real)
    real = (int (*)(void **, size_t, size_t))next_symbol("posix_memalign");
  int status = real(memptr, alignment, size);
  if (status == 0)
    traced(*memptr, size);
  return status;
}
#endif /* TM_SANITIZER_ALLOCATOR */

/* ---- dlclose ----
 * An instrumented shared library's site records live in the library. Before
 * it is unloaded, the depot's frames that point into it are replaced by
 * copies (tm_forget_code, traceback.c), so a later snapshot still names its
 * sites. dlclose may only drop a reference and leave the library loaded; the
 * copies are then merely redundant. */

enum { MAX_SEGMENTS = 16 };

struct module_query {
  const struct link_map *map;
  tm_code_range ranges[MAX_SEGMENTS];
  unsigned int nrange;
};

static int find_segments(struct dl_phdr_info *info, size_t size, void *arg) {
  (void)size;
  struct module_query *query = arg;
  if (info->dlpi_addr != query->map->l_addr || !info->dlpi_name ||
      strcmp(info->dlpi_name, query->map->l_name) != 0)
    return 0;
  for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *phdr = &info->dlpi_phdr[i];
    if (phdr->p_type != PT_LOAD || query->nrange == MAX_SEGMENTS)
      continue;
    uintptr_t start = info->dlpi_addr + phdr->p_vaddr;
    query->ranges[query->nrange].start = start;
    query->ranges[query->nrange].end = start + phdr->p_memsz;
    query->nrange++;
  }
  return 1;
}

int dlclose(void *handle) {
  static int (*real)(void *);
  if (!real)
    real = (int (*)(void *))next_symbol("dlclose");
  int saved_errno = errno;
  struct module_query query = {0};
  struct link_map *map = NULL;
  /* The main program (empty name) is never unloaded. */
  /* dlclose(NULL) is an error the real dlclose reports: do not look. */
  if ((uintptr_t)handle != 0 && dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 &&
      map && map->l_name && map->l_name[0]) {
    query.map = map;
    dl_iterate_phdr(find_segments, &query);
    if (query.nrange)
      tm_forget_code(query.ranges, query.nrange);
  }
  errno = saved_errno;
  return real(handle);
}
