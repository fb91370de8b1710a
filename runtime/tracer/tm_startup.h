/*
 * tm_startup.h - the process side of the runtime: options read at start-up,
 * dump files, the dump thread. Not part of the library the tools link.
 */
#ifndef TM_STARTUP_H
#define TM_STARTUP_H

#include "tracer.h"

#define TM_PATH_MAX 4096

/* The name of dump number n from TRACEMALLOC_DUMP: "%p" becomes the process
 * id, "%n" the number ("exit" for n = 0, the dump at exit), "%%" a '%'.
 * Without "%n", numbered dumps insert ".N" before the file's extension
 * (out.tms -> out.3.tms). 0, or -1 when it does not fit. */
TM_HIDDEN int tm_dump_path(char *buf, size_t size, unsigned long n);

/* Take a snapshot and write it to path; failures are reported on stderr. */
TM_HIDDEN void tm_dump_to(const char *path);

/* Start the dump thread: dump on signal_number (0: none) and whenever traced
 * memory has grown by every_bytes (0: never). */
TM_HIDDEN int tm_dumper_start(int signal_number, size_t every_bytes);

#endif /* TM_STARTUP_H */
