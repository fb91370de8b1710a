/*
 * output.c - what the subcommands write and how: error messages, checked
 * standard output, formatted statistics and output files.
 */
#include "cli.h"

#include "atomic_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *fmt, ...) {
  cli_progress_done();
  va_list args;
  va_start(args, fmt);
  fputs("tracemalloc: error: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
  return EXIT_ERROR;
}

int cli_finish_output(void) {
  if (fflush(stdout) != 0 || ferror(stdout))
    return cli_fail("cannot write the output: %s", strerror(errno));
  return 0;
}

/* ---- Text ---- */

int cli_print_formatted(FILE *out, cli_formatter format, const void *object) {
  char small[1024];
  int length = format(small, sizeof(small), object);
  if (length < 0)
    return cli_fail("cannot format the output");
  if ((size_t)length < sizeof(small)) {
    fputs(small, out);
    fputc('\n', out);
    return 0;
  }
  char *big = malloc((size_t)length + 1); /* a long file name */
  if (!big)
    return cli_fail("out of memory");
  format(big, (size_t)length + 1, object);
  fputs(big, out);
  fputc('\n', out);
  free(big);
  return 0;
}

int cli_format_statistic(char *buf, size_t bufsize, const void *statistic) {
  return tracemalloc_statistic_format(buf, bufsize, statistic);
}

int cli_format_statistic_diff(char *buf, size_t bufsize, const void *diff) {
  return tracemalloc_statistic_diff_format(buf, bufsize, diff);
}

const char *cli_size(char *buf, size_t bufsize, size_t size) {
  tracemalloc_format_size(buf, bufsize,
                          size > INT64_MAX ? INT64_MAX : (int64_t)size, 0);
  return buf;
}

cli_seconds_text cli_seconds(uint64_t nanoseconds) {
  cli_seconds_text seconds;
  snprintf(seconds.text, sizeof(seconds.text), "%llu.%09llu",
           (unsigned long long)(nanoseconds / 1000000000u),
           (unsigned long long)(nanoseconds % 1000000000u));
  return seconds;
}

/* ---- Output files ----
 * The snapshot library's atomic writer makes the file: the subcommand's
 * writer prints to a stdio stream whose bytes go to tm_file_put(). */

typedef struct output_job {
  cli_writer write;
  const tracemalloc_snapshot *snapshot;
  const cli_options *options;
  int *status; /* the writer's */
} output_job;

static ssize_t put_bytes(void *writer, const char *bytes, size_t length) {
  tm_file_put(writer, bytes, length);
  return ((tm_file_writer *)writer)->error ? -1 : (ssize_t)length;
}

static void write_content(tm_file_writer *writer, const void *arg) {
  const output_job *job = arg;
  cookie_io_functions_t functions = {.write = put_bytes};
  FILE *out = fopencookie(writer, "w", functions);
  if (!out) {
    *job->status = cli_fail("out of memory");
    writer->error = ENOMEM;
    return;
  }
  *job->status = job->write(out, job->snapshot, job->options);
  if (fclose(out) != 0 && !writer->error)
    writer->error = EIO;
  /* The writer said why it failed: leave no file. */
  if (*job->status && !writer->error)
    writer->error = ECANCELED;
}

int cli_write_output(const char *path, cli_writer write,
                     const tracemalloc_snapshot *snapshot,
                     const cli_options *options) {
  if (strcmp(path, "-") == 0)
    return write(stdout, snapshot, options); /* checked by the driver */
  int status = 0;
  output_job job = {write, snapshot, options, &status};
  if (tm_file_write_atomic(path, write_content, &job) < 0 && !status)
    return cli_fail("%s", tracemalloc_last_error());
  return status;
}
