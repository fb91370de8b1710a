//===- TraceMallocOptions.h - What the user asked of the pass ---*- C++ -*-===//
//
// The pass's command-line options (-mllvm -tracemalloc-...) and the
// environment variables that stand in for them, read once into one struct
// before anything is instrumented: no later step consults the environment.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_TRACEMALLOCOPTIONS_H
#define TRACEMALLOC_TRACEMALLOCOPTIONS_H

#include <string>

namespace llvm {

struct TraceMallocOptions {
  /// The configuration file (allocator families and ignore list):
  /// -tracemalloc-config, else TRACEMALLOC_CONFIG; empty when none.
  std::string ConfigPath;
  /// Give calls in tail position no frame, so that they stay tail calls:
  /// -tracemalloc-elide-tail-frames, else TRACEMALLOC_ELIDE_TAIL_FRAMES=1.
  bool ElideTailFrames = false;

  /// The options of this process, read the first time they are asked for
  /// (the command line is parsed before any pass runs).
  static const TraceMallocOptions &get();
};

} // namespace llvm

#endif // TRACEMALLOC_TRACEMALLOCOPTIONS_H
