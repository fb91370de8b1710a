/*
 * run.c - tracemalloc run: trace a program and print the top of what it
 * left allocated.
 *
 * The program (compiled with tmcc, or linked with libtracemalloc) runs with
 * TRACEMALLOC=N and TRACEMALLOC_DUMP=FILE in its environment; the runtime
 * writes the snapshot when it exits. tracemalloc ignores SIGINT and SIGQUIT
 * while it waits, as system() does, so that ^C stops the program only.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char run_usage[] =
    "usage: tracemalloc run [--nframe N] [-o FILE] [--key KEY] "
    "[--cumulative] [--limit N] [FILTERS] [--] PROGRAM [ARGS...]\n"
    "\n"
    "Run PROGRAM (built with tmcc/tmc++) with TRACEMALLOC=N and\n"
    "TRACEMALLOC_DUMP=FILE, then print 'tracemalloc top' of the snapshot it\n"
    "wrote at exit. The exit status is the program's (128 + N when signal N\n"
    "killed it), or 2 when tracemalloc itself fails. The options must come\n"
    "before PROGRAM; everything after it is passed to the program.\n"
    "\n"
    "options:\n"
    "  --nframe N    frames per traceback (1 to 65535; default: 25)\n"
    "  -o, --output FILE  the snapshot file (default: PROGRAM.tms, PROGRAM's\n"
    "                base name, in the current directory); replaced\n"
    "  --key, --cumulative, --limit N, filters: as for 'tracemalloc top'\n"
    "  -h, --help    print this help and exit\n";

/* The child: set the environment and exec; an exec failure is sent to the
 * parent through the close-on-exec pipe. */
__attribute__((noreturn)) static void child(const cli_options *options,
                                            const char *output, int report) {
  char nframe[16];
  snprintf(nframe, sizeof(nframe), "%u", options->nframe);
  if (setenv("TRACEMALLOC", nframe, 1) == 0 &&
      setenv("TRACEMALLOC_DUMP", output, 1) == 0) {
    execvp(options->command[0], options->command);
  }
  int error = errno;
  ssize_t written = write(report, &error, sizeof(error));
  (void)written;
  _exit(127);
}

/* Run the program: its exit status (128 + signal, and *signal_number set),
 * or -1 after the error message. */
static int run_program(const cli_options *options, const char *output,
                       int *signal_number) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0)
    return cli_fail("run: %s", strerror(errno)), -1;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return cli_fail("run: cannot fork: %s", strerror(errno)), -1;
  if (pid == 0)
    child(options, output, pipefd[1]);
  close(pipefd[1]);
  struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  int error = 0;
  ssize_t got = read(pipefd[0], &error, sizeof(error));
  close(pipefd[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGQUIT, &old_quit, NULL);
  if (got == (ssize_t)sizeof(error))
    return cli_fail("run: cannot run '%s': %s", options->command[0],
                    strerror(error)),
           -1;
  *signal_number = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static char *default_output(const char *program) {
  const char *slash = strrchr(program, '/');
  const char *base = slash ? slash + 1 : program;
  size_t length = strlen(base);
  char *path = malloc(length + sizeof(".tms"));
  if (path) {
    memcpy(path, base, length);
    memcpy(path + length, ".tms", sizeof(".tms"));
  }
  return path;
}

static int report(const cli_options *options, const char *output,
                  int exit_status, int signal_number) {
  struct stat info;
  if (stat(output, &info) < 0) {
    if (signal_number)
      return cli_fail("run: %s was killed by signal %d (%s) and wrote no "
                      "snapshot",
                      options->command[0], signal_number,
                      strsignal(signal_number)),
             exit_status;
    if (exit_status != 0)
      return cli_fail("run: %s exited with status %d and wrote no snapshot",
                      options->command[0], exit_status),
             exit_status;
    return cli_fail("run: %s wrote no snapshot %s (not built with tmcc, or "
                    "it could not write the file)",
                    options->command[0], output);
  }
  tracemalloc_snapshot *snapshot = cli_load(output, options);
  if (!snapshot)
    return EXIT_ERROR;
  int status = cli_print_top(snapshot, options);
  tracemalloc_snapshot_free(snapshot);
  /* The driver checks the output only after a status of 0, and this one is
   * the program's: check it here. */
  if (!status)
    status = cli_finish_output();
  return status ? status : exit_status;
}

static int run(tracemalloc_snapshot *const *snapshots,
               const cli_options *options) {
  (void)snapshots;
  char *allocated =
      options->output ? NULL : default_output(options->command[0]);
  const char *output = options->output ? options->output : allocated;
  if (!output)
    return cli_fail("out of memory");
  int status = EXIT_ERROR;
  if (unlink(output) < 0 && errno != ENOENT) {
    cli_fail("run: cannot replace %s: %s", output, strerror(errno));
  } else {
    int signal_number = 0;
    int exit_status = run_program(options, output, &signal_number);
    if (exit_status >= 0)
      status = report(options, output, exit_status, signal_number);
  }
  free(allocated);
  return status;
}

const cli_command cli_run = {
    .name = "run",
    .summary = "trace a program, then print the top of its snapshot",
    .usage = run_usage,
    .options = OPT_KEY | OPT_CUMULATIVE | OPT_LIMIT | OPT_FILTERS | OPT_NFRAME |
               OPT_OUTPUT | OPT_COMMAND,
    .snapshots = {NULL},
    .nsnapshot = 0, /* run loads the snapshot its program writes */
    .run = run,
};
