/*
 * shadow_stack.c - tracebacks without unwinding.
 *
 * Instrumented code keeps, per thread, the call site each active frame is
 * calling through (docs/architecture.md, "Tracebacks without unwinding"). A
 * traceback is then the allocation site with its inlined chain, followed by the
 * callers' slots from the top of the stack down: no unwinding, no
 * symbolization.
 */
#include "tracer.h"

/* An instrumented executable defines and exports its own, which the
 * references here then bind to (docs/architecture.md, "Where the shadow stack
 * lives"); this one is for executables that are not instrumented. */
_Thread_local struct __tm_shadow_stack __tm_shadow
    __attribute__((tls_model("initial-exec")));

const struct __tm_site tm_unknown_site = {
    .filename = "<unknown>",
    .function = "",
    .inlined_at = NULL,
    .lineno = 0,
    .column = 0,
    .flags = 0,
    .chain_depth = 1,
};

static unsigned int saturate(uint64_t n) {
  return n > TRACEMALLOC_MAX_NFRAME ? TRACEMALLOC_MAX_NFRAME : (unsigned int)n;
}

/* Append a site and the frames it was inlined into. */
static unsigned int push_chain(tm_site_t site, tm_site_t *frames,
                               unsigned int nframe, unsigned int max) {
  for (; site && nframe < max; site = site->inlined_at)
    frames[nframe++] = site;
  return nframe;
}

static unsigned int frames_of(tm_site_t site) {
  /* chain_depth is at least 1 in every record the pass emits; a record
   * written by hand may leave it 0. Branch-free: this runs per slot. */
  return site->chain_depth + (site->chain_depth == 0);
}

/* The slot of the frame at depth index i (0: the outermost). The slots are
 * a ring: a frame deeper than the capacity took the slot of the one
 * TM_SHADOW_CAP below it. */
static tm_site_t slot_at(uint64_t i) {
  return __tm_shadow.slots[i & (TM_SHADOW_CAP - 1)];
}

/* The frames of slots [first, end), counted but not stored. This is the hot
 * loop of short limits: with nframe=1 every allocation walks the whole
 * stack, because total_nframe is part of the traceback. */
static uint64_t count_slots(uint64_t first, uint64_t end) {
  uint64_t total = 0;
  for (uint64_t i = end; i-- > first;) {
    tm_site_t caller = slot_at(i);
    if (caller)
      total += frames_of(caller);
  }
  return total;
}

/* The callers' frames, from the shadow-stack slot top down. own_frame: the
 * allocating function has a frame, at depth top + 1. */
static unsigned int push_callers(uint64_t top, int own_frame, tm_site_t *frames,
                                 unsigned int nframe, unsigned int max,
                                 uint64_t *total) {
  /* Of a stack deeper than the capacity, only the innermost TM_SHADOW_CAP
   * frames -- the allocating function's own included -- still hold their
   * call sites; the outer ones' slots were taken by inner frames. Those
   * frames are lost, but still counted, one each. */
  uint64_t depth = top + 1 + (own_frame != 0);
  uint64_t first = depth > TM_SHADOW_CAP ? depth - TM_SHADOW_CAP : 0;
  *total += first;
  /* The hot loop of long limits (nframe=25 copies some twenty frames per
   * allocation): a call site that was not inlined, the common case, is one
   * frame, stored without walking a chain. */
  uint64_t i = top + 1, counted = 0;
  while (i > first && nframe < max) {
    tm_site_t caller = slot_at(--i);
    if (!caller)
      continue;
    counted += frames_of(caller);
    if (__builtin_expect(caller->inlined_at == NULL, 1))
      frames[nframe++] = caller;
    else
      nframe = push_chain(caller, frames, nframe, max);
  }
  counted += count_slots(first, i);
  *total += counted;
  return nframe;
}

unsigned int tm_capture_frames(tm_site_t site, tm_site_t *frames,
                               unsigned int max, unsigned int *total_nframe) {
  unsigned int nframe = 0;
  uint64_t total = 0;
  if (site) {
    nframe = push_chain(site, frames, 0, max);
    total = frames_of(site);
  }
  /* Uninstrumented code has no slot: the top one is its caller's. */
  uint64_t nslots = tm_caller_slots(site);
  if (nslots > 0)
    nframe = push_callers(nslots - 1, site && (site->flags & TM_SITE_OWN_FRAME),
                          frames, nframe, max, &total);
  if (nframe == 0) {
    frames[nframe++] = &tm_unknown_site;
    total = total ? total : 1;
  }
  *total_nframe = saturate(total);
  return nframe;
}
