//===- TraceMallocUtils.h - Helpers every part of the pass uses -*- C++ -*-===//
//
// The pass's diagnostics, the source-level names of symbols, and which
// function bodies the pass leaves alone.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_TRACEMALLOCUTILS_H
#define TRACEMALLOC_TRACEMALLOCUTILS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"

#include <string>

namespace llvm {

class Function;

/// An error or warning of the pass. Clang prints plugin diagnostics as
/// `warning: <message>`; opt prints them the same way.
class DiagnosticInfoTraceMalloc : public DiagnosticInfo {
  const Twine &Msg;

public:
  DiagnosticInfoTraceMalloc(const Twine &Msg, DiagnosticSeverity Severity)
      : DiagnosticInfo(getKindID(), Severity), Msg(Msg) {}

  void print(DiagnosticPrinter &DP) const override { DP << Msg; }

  static int getKindID() {
    static const int KindID = getNextAvailablePluginDiagnosticKind();
    return KindID;
  }
};

/// The symbol \p Name as its source spells it (demangled when C++).
std::string getSourceName(StringRef Name);

/// Whether the pass must leave the body of \p F alone: neither instrument
/// it nor, for a family function, wrap it.
bool shouldSkipFunction(const Function &F);

} // namespace llvm

#endif // TRACEMALLOC_TRACEMALLOCUTILS_H
