//===- AllocationAnalysis.h - Which calls may allocate ----------*- C++ -*-===//
//
// The allocation functions of a module (those the pass rewrites into calls
// of the runtime, and the allocator family functions of the configuration)
// and, over the module's call graph, which calls may reach one of them and
// so need their call site on the shadow stack.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_ALLOCATIONANALYSIS_H
#define TRACEMALLOC_ALLOCATIONANALYSIS_H

#include "FamilyConfig.h"
#include "RuntimeABI.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/DebugInfoMetadata.h"

#include <optional>
#include <utility>

namespace llvm {

class CallBase;
class Function;
class Module;

/// The functions of one module that allocate or free by themselves.
class AllocationFunctions {
public:
  AllocationFunctions(Module &M, const FamilyConfig *Config);

  /// The runtime replacement for direct calls of \p Callee, or null when
  /// \p Callee is not an allocation function.
  const tmabi::AllocFnInfo *getAllocFnInfo(const Function *Callee) const {
    return AllocFnCallees.lookup(Callee);
  }

  /// The kind of family function \p Callee is: a wrapper made from its
  /// definition, or a declaration the configuration names (whose definition
  /// elsewhere is wrapped).
  std::optional<FamilyKind> getFamilyKind(const Function *Callee) const {
    auto It = FamilyCallees.find(Callee);
    if (It == FamilyCallees.end())
      return std::nullopt;
    return It->second;
  }
  /// Whether \p SP is the artificial scope of a family wrapper.
  bool isFamilyScope(const DISubprogram *SP) const {
    return FamilyScopes.contains(SP);
  }
  /// Whether code at \p Loc was inlined from a family wrapper (and so runs
  /// with the reentrancy count up: nothing it allocates is recorded).
  bool isInlinedFromFamily(const DILocation *Loc) const {
    if (FamilyScopes.empty())
      return false;
    for (; Loc; Loc = Loc->getInlinedAt())
      if (isFamilyScope(Loc->getScope()->getSubprogram()))
        return true;
    return false;
  }

private:
  DenseMap<const Function *, const tmabi::AllocFnInfo *> AllocFnCallees;
  DenseMap<const Function *, FamilyKind> FamilyCallees;
  SmallPtrSet<const DISubprogram *, 8> FamilyScopes;
};

/// What the instrumentation does with a call (ShadowStackInstrumenter), in
/// the order it decides: one definition for the instrumentation and for
/// the analyses that must agree with it (DepthResets).
enum class CallRole {
  FamilyRecord,      // the recording call of an inlined family wrapper
  InlinedFromFamily, // inlined from a family wrapper: records nothing
  Allocation,        // rewritten into a runtime entry point
  MustTail,          // nothing of the frame runs after it: no site store
  MayAllocate,       // a site store before it
  NoAllocation,      // nothing
};

/// Which calls may reach an allocation that records a traceback, and so
/// need the caller's call site on the shadow stack (docs/architecture.md,
/// "Tracebacks without unwinding").
///
/// A defined function may allocate when it makes a call that may: an
/// indirect call, a call of a declaration not known to be allocation-free,
/// a call of an allocation function, or a call of a defined function that
/// may allocate. The last rule is a reachability problem over the call
/// graph; it is solved by propagating from the functions that allocate
/// directly to their callers, which reaches the same fixpoint as a
/// bottom-up walk over the SCCs (recursion adds nothing by itself) in
/// linear time.
class AllocationAnalysis {
public:
  /// Computed before any change: rewriting turns allocation calls into calls
  /// of __tm_* functions, which the analysis counts as allocation-free.
  AllocationAnalysis(Module &M, const AllocationFunctions &AllocFns);

  /// Whether the call \p CB may reach an allocation.
  bool mayAllocate(const CallBase &CB) const;
  /// Whether calling \p F may reach an allocation.
  bool mayAllocate(const Function &F) const;
  /// What the instrumentation does with \p CB, a call or an invoke.
  CallRole getCallRole(const CallBase &CB) const;

private:
  enum class Reach {
    Never,  // cannot reach an allocation
    Always, // may reach one, whatever the module says
    Callee, // may reach one iff the (analyzable) callee may
  };
  std::pair<Reach, const Function *> classify(const CallBase &CB) const;
  bool declarationMayAllocate(const Function &F) const;

  const AllocationFunctions &AllocFns;
  DenseSet<const Function *> MayAllocate;
};

} // namespace llvm

#endif // TRACEMALLOC_ALLOCATIONANALYSIS_H
