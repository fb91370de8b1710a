/*
 * atomic_file.h - files that appear complete or not at all, for the
 * snapshot writers (.tms in snapshot_file.c, pickle in pickle.c).
 *
 * tm_file_write_atomic() writes a temporary file in the target's
 * directory through a buffered writer, syncs it and renames it over the
 * target, so a crash or a full disk never leaves half a snapshot behind.
 * Only a regular file or a missing path is replaced that way: a FIFO, a
 * character or block device or a socket is opened and written directly
 * (TRACEMALLOC_DUMP=/dev/null writes nothing, and leaves /dev/null alone).
 * A symbolic link is followed to such a file (/dev/stdout, a link to a
 * FIFO), and refused, with the link and its target left alone, when it
 * points to a regular file or to nothing: a symlink planted where a program
 * dumps must not make it overwrite someone else's file.
 */
#ifndef TM_ATOMIC_FILE_H
#define TM_ATOMIC_FILE_H

#include "tm_common.h"

#include <stddef.h>
#include <string.h>

enum { TM_FILE_BUFFER_SIZE = 256 * 1024 };

typedef struct tm_file_writer {
  int fd;
  unsigned char *buffer; /* TM_FILE_BUFFER_SIZE bytes */
  size_t used;
  int error; /* errno of the first failure, 0 while all is well */
} tm_file_writer;

/* Writes what does not fit in the buffer. After a failure, writes nothing
 * more: the error is reported once, at the end. */
TM_HIDDEN void tm_file_put_slow(tm_file_writer *writer, const void *bytes,
                                size_t length);

/* Inline, because the pickle writer puts one small opcode at a time. */
static inline void tm_file_put(tm_file_writer *writer, const void *bytes,
                               size_t length) {
  if (length <= TM_FILE_BUFFER_SIZE - writer->used) {
    memcpy(writer->buffer + writer->used, bytes, length);
    writer->used += length;
    return;
  }
  tm_file_put_slow(writer, bytes, length);
}

/* Writes the whole content of the file with tm_file_put(). */
typedef void (*tm_file_content)(tm_file_writer *writer, const void *arg);

/* Write path atomically: 0, or -1 with tm_set_error() saying which step
 * failed ("PATH: cannot write: No space left on device"). */
TM_HIDDEN int tm_file_write_atomic(const char *path, tm_file_content content,
                                   const void *arg);

/* Write to an open descriptor (standard output): 0, or -1 with
 * tm_set_error() naming the output as name. */
TM_HIDDEN int tm_file_write_fd(int fd, const char *name,
                               tm_file_content content, const void *arg);

#endif /* TM_ATOMIC_FILE_H */
