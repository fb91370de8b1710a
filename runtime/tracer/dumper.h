/*
 * dumper.h - snapshot files of the running program (TRACEMALLOC_DUMP): their
 * names, their writing, at exit and from the dump thread. Part of the
 * process side of the runtime; started by startup.c.
 */
#ifndef TM_DUMPER_H
#define TM_DUMPER_H

#include "tm_common.h"

#include <stddef.h>

/* Where the dumps go: path, made absolute now (the dump at exit may come
 * after a chdir()). In it "%p" becomes the process id, "%n" the dump's
 * number ("exit" for the dump at exit), "%%" a '%'; without "%n", numbered
 * dumps insert ".N" before the file's extension (out.tms -> out.3.tms).
 * -1 when the absolute name is too long (4096 bytes with its NUL). */
TM_HIDDEN int tm_dump_set_path(const char *path);

/* Dump at exit, and start the dump thread if there is a trigger: dump on
 * signal_number (0: none) and whenever traced memory has grown by
 * every_bytes (0: never). */
TM_HIDDEN void tm_dumper_start(int signal_number, size_t every_bytes);

#endif /* TM_DUMPER_H */
