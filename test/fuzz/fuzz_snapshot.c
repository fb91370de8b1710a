/*
 * fuzz_snapshot.c - libFuzzer target for the native snapshot loader
 * (runtime/snapshot/snapshot_file.c) and what the CLI does with a loaded
 * snapshot.
 *
 * Each input is written to a private file and loaded with
 * tracemalloc_snapshot_load(). A hostile file must give NULL and one line of
 * error, never a crash, a leak or a read out of bounds (ASan + UBSan), nor
 * an allocation larger than the file justifies: run with -malloc_limit_mb
 * (test/format/fuzz-snapshot.test does). A file that loads is then taken
 * through statistics (every key, cumulative), compare_to, filters, the
 * formatters and a dump + reload round trip, which must give the same
 * file again.
 *
 * Every input is loaded twice: as it is, and with its last 8 bytes replaced
 * by the right checksum, so that mutations reach the checks behind the
 * checksum (counts, offsets, indices, strings) too.
 *
 * Source lines are never read (traceback_format would open the files the
 * snapshot names).
 */
#include "tracemalloc.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char input_path[64];
static char dump_path[64];
static int input_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* On tmpfs the dump's fsync costs nothing: ten times the executions. */
  const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  snprintf(input_path, sizeof(input_path), "%s/tm-fuzz-snapshot.%ld.tms", dir,
           (long)getpid());
  snprintf(dump_path, sizeof(dump_path), "%s/tm-fuzz-snapshot.%ld.out.tms", dir,
           (long)getpid());
  input_fd = open(input_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (input_fd < 0) {
    perror(input_path);
    abort();
  }
  return 0;
}

__attribute__((destructor)) static void remove_files(void) {
  if (input_fd >= 0) {
    unlink(input_path);
    unlink(dump_path);
  }
}

static void write_input(const uint8_t *data, size_t size) {
  if (ftruncate(input_fd, 0) < 0 ||
      pwrite(input_fd, data, size, 0) != (ssize_t)size)
    abort();
}

static void format_statistics(const tracemalloc_statistics *stats) {
  char line[256];
  for (size_t i = 0; i < stats->count; i++) {
    tracemalloc_statistic_format(line, sizeof(line), &stats->items[i]);
    tracemalloc_traceback_str(line, sizeof(line), stats->items[i].traceback);
    /* Truncated output must stay a terminated string. */
    tracemalloc_statistic_format(line, 7, &stats->items[i]);
    if (strlen(line) > 6)
      abort();
  }
}

static void exercise(const tracemalloc_snapshot *snapshot) {
  char line[256];
  size_t ntraces = tracemalloc_snapshot_trace_count(snapshot);
  for (size_t i = 0; i < ntraces; i++) {
    const tracemalloc_trace *trace = tracemalloc_snapshot_trace(snapshot, i);
    tracemalloc_trace_format(line, sizeof(line), trace);
    for (size_t j = 0; j < trace->traceback->nframe; j++)
      tracemalloc_frame_format(line, sizeof(line), trace->traceback->frames[j]);
  }
  for (int key = TRACEMALLOC_KEY_LINENO; key <= TRACEMALLOC_KEY_TRACEBACK;
       key++) {
    for (int cumulative = 0; cumulative <= (key != TRACEMALLOC_KEY_TRACEBACK);
         cumulative++) {
      tracemalloc_statistics *stats = tracemalloc_snapshot_statistics(
          snapshot, (tracemalloc_key_type)key, cumulative);
      if (stats)
        format_statistics(stats);
      tracemalloc_statistics_free(stats);
      tracemalloc_statistic_diffs *diffs = tracemalloc_snapshot_compare_to(
          snapshot, snapshot, (tracemalloc_key_type)key, cumulative);
      for (size_t i = 0; diffs && i < diffs->count; i++)
        tracemalloc_statistic_diff_format(line, sizeof(line), &diffs->items[i]);
      tracemalloc_statistic_diffs_free(diffs);
    }
  }
  /* Filters on what the file says: its first frame's name and line. */
  if (ntraces) {
    const tracemalloc_trace *first = tracemalloc_snapshot_trace(snapshot, 0);
    const tracemalloc_frame *frame = first->traceback->frames[0];
    tracemalloc_filter filters[3] = {
        tracemalloc_filter_make(1, frame->filename, (long)frame->lineno, 0, -1),
        tracemalloc_filter_make(0, "*[!a-z]?*", -1, 1, -1),
        tracemalloc_domain_filter_make(0, first->domain + 1),
    };
    tracemalloc_snapshot *filtered =
        tracemalloc_snapshot_filter_traces(snapshot, filters, 3);
    tracemalloc_snapshot_free(filtered);
  }
}

/* Dump and reload: the file written must load, and give the same file. */
static void round_trip(const tracemalloc_snapshot *snapshot) {
  if (tracemalloc_snapshot_dump(snapshot, dump_path) < 0)
    abort();
  tracemalloc_snapshot *again = tracemalloc_snapshot_load(dump_path);
  if (!again) {
    fprintf(stderr, "reload failed: %s\n", tracemalloc_last_error());
    abort();
  }
  if (tracemalloc_snapshot_trace_count(again) !=
          tracemalloc_snapshot_trace_count(snapshot) ||
      tracemalloc_snapshot_lost_traces(again) !=
          tracemalloc_snapshot_lost_traces(snapshot) ||
      tracemalloc_snapshot_traceback_limit(again) !=
          tracemalloc_snapshot_traceback_limit(snapshot))
    abort();
  tracemalloc_snapshot_free(again);
}

static void load_one(const uint8_t *data, size_t size) {
  write_input(data, size);
  tracemalloc_snapshot *snapshot = tracemalloc_snapshot_load(input_path);
  if (!snapshot) {
    /* One line, naming the file. */
    const char *error = tracemalloc_last_error();
    if (strncmp(error, input_path, strlen(input_path)) != 0 ||
        strchr(error, '\n'))
      abort();
    return;
  }
  exercise(snapshot);
  round_trip(snapshot);
  tracemalloc_snapshot_free(snapshot);
}

static uint64_t fnv1a(uint64_t hash, const uint8_t *data, size_t size) {
  for (size_t i = 0; i < size; i++) {
    hash ^= data[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

static uint64_t le64(const uint8_t *in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; i++)
    value |= (uint64_t)in[i] << (8 * i);
  return value;
}

/* The file format's checksum of the size bytes before it, for the version
 * the header names (runtime/snapshot/snapshot_file.c): version 1 FNV-1a,
 * version 2 four lanes of words. */
static uint64_t checksum(const uint8_t *data, size_t size) {
  const uint64_t basis = 0xcbf29ce484222325ULL;
  if (size >= 12 && data[8] == 1 && !data[9] && !data[10] && !data[11])
    return fnv1a(basis, data, size);
  uint64_t lanes[4] = {basis, basis + 1, basis + 2, basis + 3};
  size_t whole = size / 32 * 32;
  for (size_t at = 0; at < whole; at += 32)
    for (int i = 0; i < 4; i++)
      lanes[i] = (lanes[i] ^ le64(data + at + 8 * i)) * 0x100000001b3ULL;
  uint8_t tail[32 + 8 * 5];
  size_t n = 0;
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 8; b++)
      tail[n++] = (uint8_t)(lanes[i] >> (8 * b));
  for (size_t i = whole; i < size; i++)
    tail[n++] = data[i];
  for (int b = 0; b < 8; b++)
    tail[n++] = (uint8_t)((uint64_t)size >> (8 * b));
  return fnv1a(basis, tail, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  load_one(data, size);
  if (size < 8)
    return 0;
  uint8_t *fixed = malloc(size);
  memcpy(fixed, data, size);
  uint64_t sum = checksum(fixed, size - 8);
  for (int i = 0; i < 8; i++)
    fixed[size - 8 + i] = (uint8_t)(sum >> (8 * i));
  if (memcmp(fixed, data, size) != 0)
    load_one(fixed, size);
  free(fixed);
  return 0;
}
