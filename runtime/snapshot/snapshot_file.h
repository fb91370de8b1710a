/*
 * snapshot_file.h - the .tms loader's entry point for the command-line tool,
 * besides the public tracemalloc_snapshot_load() (snapshot_file.c).
 */
#ifndef TM_SNAPSHOT_FILE_H
#define TM_SNAPSHOT_FILE_H

#include "tm_common.h"

/* tracemalloc_snapshot_load(), with a regular file mapped instead of read
 * into memory: no copy and no fresh pages, for a process that is done with
 * the snapshot before anyone rewrites the file in place. Until the snapshot
 * is freed, the file must not be truncated (its pages would raise SIGBUS)
 * or rewritten in place (the snapshot would show bytes never checked);
 * replacing it by rename(), as every TraceMalloc writer does, is fine. */
TM_HIDDEN tracemalloc_snapshot *tm_snapshot_load_mapped(const char *path);

#endif /* TM_SNAPSHOT_FILE_H */
