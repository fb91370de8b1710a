/*
 * preinit.c - the executable's .preinit_array entry that starts tracing
 * (startup.c) before any shared library's initialiser runs.
 *
 * Only the executable's .preinit_array is honoured (and GNU ld refuses one
 * in a shared library), so this object is not part of libtracemalloc.so: it
 * is linked into executables from libtracemalloc_preinit.a, and is a member
 * of libtracemalloc.a. Nothing refers to it: the link names its entry with
 * -Wl,--undefined=__tm_preinit_entry to pull it from the archive (tmcc, the
 * CMake package and tracemalloc.pc do).
 */
#include "startup.h"

typedef void (*tm_preinit_function)(int argc, char **argv, char **envp);

__attribute__((section(".preinit_array"), used))
const tm_preinit_function __tm_preinit_entry = __tm_preinit;
