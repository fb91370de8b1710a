// The TRACEMALLOC* options are read with secure_getenv: a set-user-ID
// program is not made to trace, or to write files, by its caller's
// environment. The program runs set-user-ID to nobody (when the file system
// allows it: otherwise it says so and the check is moot); it prints whether
// it runs in secure mode and whether tracing started.
//
// RUN: rm -rf %t && mkdir -p %t && chmod 777 %t
// RUN: %tmcc -O1 %s -o %t/prog
// RUN: env TRACEMALLOC=1 TRACEMALLOC_DUMP=%t/normal.tms %t/prog | FileCheck --check-prefix=NORMAL %s
// RUN: test -f %t/normal.tms
// RUN: chown nobody %t/prog && chmod u+s %t/prog
// RUN: env TRACEMALLOC=1 TRACEMALLOC_DUMP=%t/setuid.tms TRACEMALLOC_LEAKS=1 %t/prog setuid > %t/setuid.out 2>&1
// RUN: FileCheck --check-prefix=SETUID --input-file=%t/setuid.out %s
// RUN: ls %t | FileCheck --check-prefix=FILES %s
//
// REQUIRES: root
// A set-user-ID program ignores LD_PRELOAD, which a sanitized build needs.
// UNSUPPORTED: sanitized
#include <stdio.h>
#include <sys/auxv.h>
#include <tracemalloc.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int secure = getauxval(AT_SECURE) != 0;
  if (argc > 1 && !secure) {
    // Set-user-ID had no effect (a nosuid file system): nothing to check.
    printf("secure mode unavailable\n");
    fflush(stdout);
    _exit(0);
  }
  printf("%s: tracing %d\n", secure ? "secure" : "not secure",
         tracemalloc_is_tracing());
  return 0;
}

// NORMAL: not secure: tracing 1
// SETUID: {{^secure: tracing 0$|^secure mode unavailable$}}
// SETUID-NOT: tracemalloc
// FILES-NOT: setuid.tms
