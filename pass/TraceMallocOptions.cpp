//===- TraceMallocOptions.cpp - What the user asked of the pass -----------===//
//
// The command-line options and their environment variables (see
// TraceMallocOptions.h and utils/man/tmcc.1).
//
//===----------------------------------------------------------------------===//

#include "TraceMallocOptions.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

#include <cstdlib>

using namespace llvm;

static cl::opt<bool> ElideTailFramesOpt(
    "tracemalloc-elide-tail-frames",
    cl::desc("Give no shadow-stack frame to calls in tail position, so that "
             "they stay tail calls; tracebacks then skip the functions that "
             "made them, as unwinders do (default: the "
             "TRACEMALLOC_ELIDE_TAIL_FRAMES environment variable, else off)"),
    cl::init(false));

static cl::opt<std::string> ConfigFileOpt(
    "tracemalloc-config",
    cl::desc("TraceMalloc configuration: allocator families and ignore list "
             "(default: the TRACEMALLOC_CONFIG environment variable)"),
    cl::value_desc("file"));

static TraceMallocOptions readOptions() {
  TraceMallocOptions Options;
  Options.ConfigPath = ConfigFileOpt;
  if (Options.ConfigPath.empty())
    if (const char *Env = std::getenv("TRACEMALLOC_CONFIG"))
      Options.ConfigPath = Env;
  if (ElideTailFramesOpt.getNumOccurrences()) {
    Options.ElideTailFrames = ElideTailFramesOpt;
  } else {
    const char *Env = std::getenv("TRACEMALLOC_ELIDE_TAIL_FRAMES");
    Options.ElideTailFrames =
        Env && StringRef(Env) != "" && StringRef(Env) != "0";
  }
  return Options;
}

const TraceMallocOptions &TraceMallocOptions::get() {
  static const TraceMallocOptions Options = readOptions();
  return Options;
}
