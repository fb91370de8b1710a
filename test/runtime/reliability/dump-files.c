// Dump files: written to an O_EXCL temporary file and renamed, so
//  - a program killed in the middle of a dump leaves the previous file
//    intact (the temporary file is all it leaves behind);
//  - a symlink planted at the temporary file's name (".NAME.tmp.PID.N") is
//    never followed, and one at the target (a link to a file) is refused
//    with one line: the files they point to are untouched, the links stay.
//
// RUN: rm -rf %t && mkdir -p %t
// RUN: %tmcc -O1 %s -o %t.prog
// RUN: cd %t && env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 not --crash %t.prog kill | FileCheck --check-prefix=KILL %s
// RUN: %tracemalloc stats %t/out.tms | FileCheck --check-prefix=PREVIOUS %s
// RUN: ls -A %t | FileCheck --check-prefix=LEFT %s
// RUN: rm -rf %t && mkdir -p %t && cd %t
// RUN: echo victim > %t/victim && echo victim > %t/victim-exit && echo victim > %t/victim-tmp
// RUN: env TRACEMALLOC=1 TRACEMALLOC_UNINSTRUMENTED=0 TRACEMALLOC_DUMP=%t/exit.tms %t.prog symlinks 2> %t/stderr | FileCheck --check-prefix=LINKS %s
// RUN: FileCheck --check-prefix=LINKS-ERR -DDIR=%t --input-file=%t/stderr %s
// RUN: cat %t/victim %t/victim-exit %t/victim-tmp | FileCheck --check-prefix=VICTIMS %s
// RUN: test -L %t/exit.tms && test -L %t/api.tms
// RUN: find %t -name '.*.tmp.*' ! -type l | count 0
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tracemalloc.h>
#include <unistd.h>

static void *volatile sink;
void *blocks[1000000]; // global: the allocations cannot be optimised away
static _Atomic int dump_done;

static void dump(const char *path) {
  tracemalloc_snapshot *snapshot = tracemalloc_take_snapshot();
  if (tracemalloc_snapshot_dump(snapshot, path) < 0)
    printf("dump failed: %s\n", tracemalloc_last_error());
  tracemalloc_snapshot_free(snapshot);
}

static void *dump_thread(void *arg) {
  dump(arg);
  printf("the dump finished before the kill\n");
  fflush(stdout);
  dump_done = 1;
  return NULL;
}

static int temporary_exists(void) {
  DIR *dir = opendir(".");
  struct dirent *entry;
  int found = 0;
  while (!found && (entry = readdir(dir)))
    found = strncmp(entry->d_name, ".out.tms.tmp.", 13) == 0;
  closedir(dir);
  return found;
}

static void kill_mid_dump(void) {
  sink = malloc(4242);
  dump("out.tms"); // the previous file: one trace
  // A big snapshot, which takes a while to write.
  for (int i = 0; i < 1000000; i++)
    blocks[i] = malloc(16);
  printf("previous file written\n");
  fflush(stdout);
  pthread_t thread;
  pthread_create(&thread, NULL, dump_thread, "out.tms");
  while (!temporary_exists() && !dump_done)
    ;
  if (!dump_done)
    kill(getpid(), SIGKILL);
  pthread_join(thread, NULL);
}

static void symlinks(void) {
  char name[256];
  // Every temporary name this process could use first, and the targets.
  for (int n = 0; n < 4; n++) {
    snprintf(name, sizeof(name), ".api.tms.tmp.%ld.%d", (long)getpid(), n);
    symlink("victim-tmp", name);
    snprintf(name, sizeof(name), ".exit.tms.tmp.%ld.%d", (long)getpid(), n);
    symlink("victim-tmp", name);
  }
  symlink("victim", "api.tms");
  symlink("victim-exit", "exit.tms");
  sink = malloc(4242);
  dump("api.tms");
  struct stat st;
  lstat("api.tms", &st);
  printf("api.tms: %s\n", S_ISLNK(st.st_mode) ? "symlink" : "other");
  snprintf(name, sizeof(name), ".api.tms.tmp.%ld.0", (long)getpid());
  lstat(name, &st);
  printf("planted temporary: %s\n", S_ISLNK(st.st_mode) ? "symlink" : "other");
}

int main(int argc, char **argv) {
  (void)argc;
  if (strcmp(argv[1], "kill") == 0)
    kill_mid_dump();
  else
    symlinks();
  return 0;
}

// KILL: previous file written
// KILL-NOT: the dump finished
// PREVIOUS: traces: 1
// PREVIOUS: size: 4242 B (4242 bytes)
// LEFT: .out.tms.tmp.{{[0-9]+}}.1
// LEFT-NEXT: out.tms
// LINKS: dump failed: api.tms: is a symbolic link: not written (name the file itself)
// LINKS-NEXT: api.tms: symlink
// LINKS-NEXT: planted temporary: symlink
// LINKS-ERR: tracemalloc: cannot write a snapshot to [[DIR]]/exit.tms: [[DIR]]/exit.tms: is a symbolic link: not written (name the file itself)
// VICTIMS: victim
// VICTIMS-NEXT: victim
// VICTIMS-NEXT: victim
// VICTIMS-NOT: {{.}}
