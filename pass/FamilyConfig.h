//===- FamilyConfig.h - The configuration file -----------------*- C++ -*-===//
//
// The configuration file names a project's allocator families (CPython's
// PyMem_*/PyObject_*, a project's xmalloc) and the functions and sources the
// pass must ignore. Its format is described in FamilyConfig.cpp, and for
// users in utils/man/tmcc.1 and README.md.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_FAMILYCONFIG_H
#define TRACEMALLOC_FAMILYCONFIG_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace llvm {

class Function;
class Module;

/// What the wrapper of a family function records.
enum class FamilyKind { Malloc, Calloc, Realloc, Free };

/// "malloc", "calloc", "realloc" or "free": the configuration's words.
StringRef getFamilyKindName(FamilyKind Kind);
std::optional<FamilyKind> parseFamilyKind(StringRef Name);

/// One function of an allocator family.
struct FamilyFn {
  FamilyKind Kind = FamilyKind::Malloc;
  unsigned Line = 0; // of its entry, for diagnostics
  unsigned Domain = 0;
  // Parameter indices.
  unsigned Ptr = 0;
  unsigned Size = 0;
  unsigned Nmemb = 0;
  bool ZeroFrees = false;
};

class FamilyConfig {
public:
  /// The configuration in \p Path, or why there is none: read and parsed
  /// once per process and file (a compiler runs the pass twice per module,
  /// at the start and the end of the pipeline; LTO may run it on several
  /// threads).
  static Expected<std::shared_ptr<const FamilyConfig>> load(StringRef Path);

  static Expected<std::unique_ptr<FamilyConfig>>
  parse(std::unique_ptr<MemoryBuffer> Buffer, StringRef Path);

  const FamilyFn *getFamily(StringRef Name) const {
    auto It = Families.find(Name);
    return It == Families.end() ? nullptr : &It->second;
  }
  bool isIgnoredFunction(const Function &F) const;
  bool isIgnoredSource(const Module &M) const;
  /// FILE:LINE of \p Fn's entry.
  std::string getLocation(const FamilyFn &Fn) const {
    return (Path + ":" + Twine(Fn.Line)).str();
  }

private:
  static bool matchesAny(ArrayRef<GlobPattern> Patterns, StringRef S) {
    for (const GlobPattern &P : Patterns)
      if (P.match(S))
        return true;
    return false;
  }

  std::string Path;
  // The patterns refer to the text they were made from.
  std::unique_ptr<MemoryBuffer> Buffer;
  StringMap<FamilyFn> Families;
  std::vector<GlobPattern> IgnoredFunctions;
  std::vector<GlobPattern> IgnoredSources;
};

} // namespace llvm

#endif // TRACEMALLOC_FAMILYCONFIG_H
