/*
 * atomic_file.c - the temporary file + rename behind every snapshot writer
 * (see atomic_file.h), and the direct writes to what must not be replaced.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void writer_flush(tm_file_writer *writer) {
  size_t done = 0;
  while (!writer->error && done < writer->used) {
    ssize_t n = write(writer->fd, writer->buffer + done, writer->used - done);
    if (n > 0)
      done += (size_t)n;
    else if (n == 0)
      writer->error = EIO;
    else if (errno != EINTR)
      writer->error = errno;
  }
  writer->used = 0;
}

void tm_file_put_slow(tm_file_writer *writer, const void *bytes,
                      size_t length) {
  const unsigned char *next = bytes;
  while (length && !writer->error) {
    if (writer->used == TM_FILE_BUFFER_SIZE)
      writer_flush(writer);
    size_t room = TM_FILE_BUFFER_SIZE - writer->used;
    size_t chunk = length < room ? length : room;
    memcpy(writer->buffer + writer->used, next, chunk);
    writer->used += chunk;
    next += chunk;
    length -= chunk;
  }
}

/* Write the whole file to fd; 0, or an errno value. */
static int write_content(int fd, tm_file_content content, const void *arg) {
  tm_file_writer writer = {.fd = fd};
  writer.buffer = tm_raw_malloc(TM_FILE_BUFFER_SIZE);
  if (!writer.buffer)
    return ENOMEM;
  content(&writer, arg);
  writer_flush(&writer);
  tm_raw_free(writer.buffer);
  return writer.error;
}

/* ".NAME.tmp.PID.N" next to path, so the rename stays in one file
 * system. NULL when out of memory. */
static char *temporary_path(const char *path) {
  static _Atomic unsigned int counter;
  unsigned int n = atomic_fetch_add(&counter, 1);
  const char *slash = strrchr(path, '/');
  int dir_length = slash ? (int)(slash - path + 1) : 0;
  const char *name = path + dir_length;
  const char *format = "%.*s.%s.tmp.%ld.%u";
  int length =
      snprintf(NULL, 0, format, dir_length, path, name, (long)getpid(), n);
  char *temporary = length < 0 ? NULL : tm_raw_malloc((size_t)length + 1);
  if (temporary)
    snprintf(temporary, (size_t)length + 1, format, dir_length, path, name,
             (long)getpid(), n);
  return temporary;
}

static int create_temporary(const char *path, char **temporary) {
  for (unsigned int attempt = 0; attempt < 100; attempt++) {
    *temporary = temporary_path(path);
    if (!*temporary) {
      tm_set_error("%s: out of memory", path);
      return -1;
    }
    int fd = open(*temporary,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0)
      return fd;
    int error = errno;
    if (error != EEXIST) {
      tm_set_error("%s: cannot create temporary file %s: %s", path, *temporary,
                   strerror(error));
      tm_raw_free(*temporary);
      *temporary = NULL;
      return -1;
    }
    tm_raw_free(*temporary);
  }
  *temporary = NULL;
  tm_set_error("%s: cannot create a temporary file: too many exist", path);
  return -1;
}

/* Make the rename itself durable; a failure here loses nothing that the
 * caller could do something about, so it is not reported. */
static void sync_directory(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = NULL;
  if (slash) {
    size_t length = slash == path ? 1 : (size_t)(slash - path);
    dir = tm_raw_malloc(length + 1);
    if (!dir)
      return;
    memcpy(dir, path, length);
    dir[length] = '\0';
  }
  int fd = open(dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  tm_raw_free(dir);
}

/* A regular file or a missing path is replaced by a rename. */
static int write_replacing(const char *path, tm_file_content content,
                           const void *arg) {
  char *temporary;
  int fd = create_temporary(path, &temporary);
  if (fd < 0)
    return -1;
  const char *step = "cannot write";
  int error = write_content(fd, content, arg);
  if (!error && fsync(fd) < 0) {
    error = errno;
    step = "cannot sync";
  }
  if (close(fd) < 0 && !error) {
    error = errno;
    step = "cannot write";
  }
  if (!error && rename(temporary, path) < 0) {
    error = errno;
    step = "cannot rename the temporary file";
  }
  if (error) {
    tm_set_error("%s: %s: %s", path, step, strerror(error));
    unlink(temporary);
    tm_raw_free(temporary);
    return -1;
  }
  tm_raw_free(temporary);
  sync_directory(path);
  return 0;
}

int tm_file_write_fd(int fd, const char *name, tm_file_content content,
                     const void *arg) {
  int error = write_content(fd, content, arg);
  if (error) {
    tm_set_error("%s: cannot write: %s", name, strerror(error));
    return -1;
  }
  return 0;
}

/* A FIFO, a device or a socket is opened and written as it is: replacing
 * /dev/null with a regular file is never what was asked. */
static int write_in_place(const char *path, tm_file_content content,
                          const void *arg) {
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    tm_set_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  int status = tm_file_write_fd(fd, path, content, arg);
  close(fd);
  return status;
}

int tm_file_write_atomic(const char *path, tm_file_content content,
                         const void *arg) {
  struct stat link, target;
  if (lstat(path, &link) < 0)
    return write_replacing(path, content, arg); /* missing: created */
  if (S_ISDIR(link.st_mode)) {
    tm_set_error("%s: is a directory", path);
    return -1;
  }
  if (S_ISREG(link.st_mode))
    return write_replacing(path, content, arg);
  if (!S_ISLNK(link.st_mode))
    return write_in_place(path, content, arg);
  /* A link is followed only to what is written in place (/dev/stdout, a
   * FIFO): a link to a file is how a planted symlink would make the
   * program overwrite someone else's file. */
  if (stat(path, &target) == 0 && !S_ISREG(target.st_mode) &&
      !S_ISDIR(target.st_mode))
    return write_in_place(path, content, arg);
  tm_set_error("%s: is a symbolic link: not written (name the file itself)",
               path);
  return -1;
}
