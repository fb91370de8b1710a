//===- TraceMallocUtils.h - Helpers every part of the pass uses -*- C++ -*-===//
//
// The pass's diagnostics, the source-level names of symbols, which function
// bodies the pass leaves alone, the marks of family functions, and the
// attributes the shadow stack makes wrong: what the family wrapper and the
// instrumenter both need, so that neither depends on the other.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_TRACEMALLOCUTILS_H
#define TRACEMALLOC_TRACEMALLOCUTILS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/IR/Attributes.h"
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

/// The function attribute of a family wrapper ("malloc", "calloc",
/// "realloc" or "free") and that of the original body it calls.
constexpr char FamilyAttr[] = "tracemalloc-family";
constexpr char FamilyBodyAttr[] = "tracemalloc-family-body";

/// Whether \p F is a family wrapper or the body of one: runtime territory,
/// which neither records nor needs a frame (nothing it calls is traced).
bool isFamilyFunction(const Function &F);

/// The function attributes (memory effects, speculatable) that the shadow
/// stack makes wrong for the functions that read or write it.
AttributeMask getShadowStackContradictedAttrs();

} // namespace llvm

#endif // TRACEMALLOC_TRACEMALLOCUTILS_H
