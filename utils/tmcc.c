/*
 * tmcc, tmc++ - compile and link with TraceMalloc.
 *
 * A drop-in for clang/clang++ (CC=tmcc ./configure && make): runs the clang
 * TraceMalloc was built for with the pass plugin loaded, adds
 * -gline-tables-only when the command gave no -g option (tracebacks need
 * lines), and links the runtime when the command links.
 *
 * The plugin is loaded with -fpass-plugin= and also with -fplugin=, because
 * clang 19 only accepts a plugin's -mllvm options when it is loaded as a
 * clang plugin too. The wrapper finds its files relative to its own
 * location, so it works from the build tree (build/bin, build/lib) and once
 * installed (PREFIX/bin, PREFIX/lib or PREFIX/<libdir>).
 *
 * Environment: TMCC_CC / TMCC_CXX name another clang to run.
 *
 * Alone on the command line, --print-plugin-path, --print-runtime-path,
 * --version and --help are the wrapper's own; --version and --help then go
 * on to clang's, so that build systems probing the compiler still see it.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TM_CLANG
#define TM_CLANG "clang"
#endif
#ifndef TM_LLVM_VERSION_MAJOR
#define TM_LLVM_VERSION_MAJOR 19
#endif
#ifndef TM_VERSION
#define TM_VERSION "unknown"
#endif
#ifndef TM_INSTALL_LIBDIR
#define TM_INSTALL_LIBDIR "lib"
#endif

static const char *program_name = "tmcc";

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: error: ", program_name);
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(2);
}

static int is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory of this executable: PREFIX/bin, or build/bin. */
static const char *find_bindir(void) {
  static char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n < 0)
    die("cannot find where %s is installed", program_name);
  exe[n] = '\0';
  return dirname(exe);
}

/* The directory holding TraceMalloc.so and libtracemalloc.so: ../lib next to
 * this executable in the build tree, ../<libdir> once installed (which may
 * be a multiarch directory such as lib/x86_64-linux-gnu). */
static const char *find_libdir(const char *bindir) {
  static char libdir[PATH_MAX];
  char exe[PATH_MAX];
  snprintf(exe, sizeof(exe), "%s/tmcc", bindir);
  const char *candidates[] = {"lib", TM_INSTALL_LIBDIR};
  for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
    char plugin[PATH_MAX];
    snprintf(libdir, sizeof(libdir), "%s/../%s", bindir, candidates[i]);
    snprintf(plugin, sizeof(plugin), "%s/TraceMalloc.so", libdir);
    if (is_file(plugin)) {
      char resolved[PATH_MAX];
      if (realpath(libdir, resolved))
        snprintf(libdir, sizeof(libdir), "%s", resolved);
      return libdir;
    }
  }
  die("TraceMalloc.so not found next to %s (expected in ../lib)", exe);
  return NULL;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t ls = strlen(s), lx = strlen(suffix);
  return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* A source file clang compiles (and so runs the pass on). */
static int is_source(const char *arg) {
  static const char *const suffixes[] = {".c",   ".cc",  ".cpp", ".cxx",
                                         ".c++", ".C",   ".cp",  ".i",
                                         ".ii",  ".m",   ".mm",  ".CPP"};
  if (arg[0] == '-' && arg[1] != '\0')
    return 0;
  for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
    if (has_suffix(arg, suffixes[i]))
      return 1;
  return 0;
}

/* Options whose value is the next argument: it is not an input file. */
static int takes_value(const char *arg) {
  static const char *const options[] = {
      "-o",      "-x",      "-I",          "-D",       "-U",
      "-include", "-isystem", "-idirafter", "-iquote",  "-MF",
      "-MT",     "-MQ",     "-L",          "-l",       "-Xlinker",
      "-Xclang", "-mllvm",  "-target",     "-arch",    "-imacros",
      "-isysroot", "--sysroot", "-Xpreprocessor", "-Xassembler", "-z"};
  for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
    if (strcmp(arg, options[i]) == 0)
      return 1;
  return 0;
}

struct command {
  int compiles;   /* some input is compiled: load the pass */
  int links;      /* the command links: add the runtime */
  int has_debug;  /* the user chose a -g option */
  int explicit_x; /* -x LANG: inputs are compiled whatever their name */
  int has_input;
  int shared; /* -shared: the link makes a shared library */
  int chose_pic; /* -fPIC, -fpie, -fno-pic, ...: the user chose the model */
};

static int is_pic_option(const char *arg) {
  static const char *const options[] = {"-fPIC",    "-fpic",    "-fPIE",
                                        "-fpie",    "-fno-PIC", "-fno-pic",
                                        "-fno-PIE", "-fno-pie"};
  for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
    if (strcmp(arg, options[i]) == 0)
      return 1;
  return 0;
}

static void scan(int argc, char **argv, struct command *cmd) {
  int stops_before_link = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "-c") == 0 || strcmp(arg, "-S") == 0 ||
        strcmp(arg, "-E") == 0 || strcmp(arg, "-M") == 0 ||
        strcmp(arg, "-MM") == 0 || strcmp(arg, "-fsyntax-only") == 0 ||
        strcmp(arg, "-emit-llvm") == 0)
      stops_before_link = 1;
    else if (strncmp(arg, "-g", 2) == 0)
      cmd->has_debug = 1;
    else if (strcmp(arg, "-shared") == 0)
      cmd->shared = 1;
    else if (is_pic_option(arg))
      cmd->chose_pic = 1;
    else if (strcmp(arg, "-x") == 0 && i + 1 < argc)
      cmd->explicit_x = strcmp(argv[i + 1], "none") != 0;
    if (takes_value(arg)) {
      i++;
      continue;
    }
    if (arg[0] != '-' || strcmp(arg, "-") == 0) {
      cmd->has_input = 1;
      if (is_source(arg) || (cmd->explicit_x && arg[0] != '-'))
        cmd->compiles = 1;
      if (strcmp(arg, "-") == 0 && cmd->explicit_x)
        cmd->compiles = 1;
    }
  }
  cmd->links = cmd->has_input && !stops_before_link;
}

static void print_path_and_exit(const char *libdir, const char *file) {
  printf("%s/%s\n", libdir, file);
  exit(0);
}

static void print_help(void) {
  printf(
      "usage: %1$s [clang options] files...\n"
      "\n"
      "Compiles and links like clang-%2$d, with the TraceMalloc pass plugin\n"
      "loaded, -gline-tables-only added when no -g option is given, and the\n"
      "TraceMalloc runtime linked. Every argument goes to clang unchanged.\n"
      "\n"
      "%1$s's own options (each alone on the command line):\n"
      "  --print-plugin-path   print the path of TraceMalloc.so and exit\n"
      "  --print-runtime-path  print the path of libtracemalloc.so and exit\n"
      "  --version             print TraceMalloc's version, then clang's\n"
      "  --help                print this, then clang's options\n"
      "\n"
      "Environment, when compiling:\n"
      "  TMCC_CC, TMCC_CXX     the clang to run instead of %3$s\n"
      "  TRACEMALLOC_CONFIG=F  allocator families and ignore list (tmcc(1))\n"
      "  TRACEMALLOC_ELIDE_TAIL_FRAMES=1\n"
      "                        no shadow-stack frame for calls in tail "
      "position\n"
      "The programs it builds read TRACEMALLOC, TRACEMALLOC_DUMP and the other\n"
      "TRACEMALLOC_* variables when they start: see tmcc(1), ENVIRONMENT.\n"
      "\n"
      "clang's options follow.\n\n",
      program_name, TM_LLVM_VERSION_MAJOR, TM_CLANG);
}

int main(int argc, char **argv) {
  const char *base = strrchr(argv[0], '/');
  base = base ? base + 1 : argv[0];
  int cxx = strstr(base, "++") != NULL;
  program_name = cxx ? "tmc++" : "tmcc";

  const char *bindir = find_bindir();
  const char *libdir = find_libdir(bindir);
  if (argc == 2 && strcmp(argv[1], "--print-plugin-path") == 0)
    print_path_and_exit(libdir, "TraceMalloc.so");
  if (argc == 2 && strcmp(argv[1], "--print-runtime-path") == 0)
    print_path_and_exit(libdir, "libtracemalloc.so");

  const char *compiler = getenv(cxx ? "TMCC_CXX" : "TMCC_CC");
  if (!compiler || !*compiler)
    compiler = cxx ? TM_CLANG "++" : TM_CLANG;
  /* Ours first, then clang's (run below, with the argument unchanged). */
  if (argc == 2 && strcmp(argv[1], "--version") == 0)
    printf("%s (TraceMalloc) %s\n", program_name, TM_VERSION);
  if (argc == 2 && strcmp(argv[1], "--help") == 0)
    print_help();
  fflush(stdout);

  struct command cmd = {0};
  scan(argc, argv, &cmd);

  static char plugin_arg[PATH_MAX + 32], clang_plugin_arg[PATH_MAX + 32];
  static char libdir_arg[PATH_MAX + 8], rpath_arg[PATH_MAX + 32];
  static char include_arg[PATH_MAX + 16];
  snprintf(plugin_arg, sizeof(plugin_arg), "-fpass-plugin=%s/TraceMalloc.so",
           libdir);
  snprintf(clang_plugin_arg, sizeof(clang_plugin_arg),
           "-fplugin=%s/TraceMalloc.so", libdir);
  /* tracemalloc.h: build/include in the build tree, PREFIX/include once
   * installed; searched after everything the user names. */
  snprintf(include_arg, sizeof(include_arg), "-idirafter%s/../include",
           bindir);
  snprintf(libdir_arg, sizeof(libdir_arg), "-L%s", libdir);
  snprintf(rpath_arg, sizeof(rpath_arg), "-Wl,-rpath,%s", libdir);

  char **args = calloc((size_t)argc + 16, sizeof(char *));
  if (!args)
    die("out of memory%s", "");
  int n = 0;
  args[n++] = (char *)compiler;
  for (int i = 1; i < argc; i++)
    args[n++] = argv[i];
  if (cmd.compiles) {
    args[n++] = plugin_arg;
#if TM_LLVM_VERSION_MAJOR < 22
    /* Before LLVM 22, the plugin's -mllvm options need it loaded early. */
    args[n++] = clang_plugin_arg;
#endif
#if TM_LLVM_VERSION_MAJOR < 15
    /* LLVM 14 defaults to typed pointers; the pass needs opaque ones. */
    args[n++] = "-mllvm";
    args[n++] = "-opaque-pointers";
#endif
    args[n++] = include_arg;
    /* Compiled and linked into a shared library in one step: as position-
     * independent code. Code for an executable (clang's default, -fPIE)
     * reaches the shadow stack with local-exec TLS, which a shared library
     * cannot use. */
    if (cmd.shared && !cmd.chose_pic)
      args[n++] = "-fPIC";
    /* Line tables are all tracebacks need; -fdebug-info-for-profiling keeps
     * the linkage names that give C++ frames their qualified names. */
    if (!cmd.has_debug) {
      args[n++] = "-gline-tables-only";
      args[n++] = "-fdebug-info-for-profiling";
    }
  }
  if (cmd.links) {
    args[n++] = libdir_arg;
    args[n++] = rpath_arg;
    /* An executable starts tracing from its .preinit_array, before the
     * shared libraries' initialisers (runtime/tracer/preinit.c); a shared
     * library may not have one. */
    if (!cmd.shared) {
      args[n++] = "-Wl,--undefined=__tm_preinit_entry";
      args[n++] = "-ltracemalloc_preinit";
    }
    args[n++] = "-ltracemalloc";
    args[n++] = "-lpthread";
  }
  args[n] = NULL;

  execvp(compiler, args);
  fprintf(stderr, "%s: error: cannot run %s: %s\n", program_name, compiler,
          strerror(errno));
  return 127;
}
