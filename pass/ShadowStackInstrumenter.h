//===- ShadowStackInstrumenter.h - Allocation calls and frames --*- C++ -*-===//
//
// The instrumentation at the end of the pipeline: every direct call of an
// allocation function becomes a call of its runtime entry point, with the
// address of the call's site record as an extra last argument; and every
// function that makes calls that may reach an allocation maintains a frame
// on the per-thread shadow stack of call sites (docs/architecture.md,
// "Tracebacks without unwinding"):
//
//   entry:  %tm.depth = load depth; store depth = %tm.depth + 1
//   before each call that may allocate:
//           store ptr @__tm_site.N, &slots[%tm.depth % CAP]  (a ring)
//   at every ret (before a musttail call):  store depth = %tm.depth
//   after a returns_twice call, at every EH pad:  store depth = %tm.depth + 1
//
// A function that only this module's frames can call (DepthResets) skips
// the restores at its rets (its calls in tail position stay tail calls):
// its callers set the depth back after calling it instead.
//
// The frame is shrink-wrapped to the region of the calls that need it, or
// pushed around each such call when those calls are rare.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_SHADOWSTACKINSTRUMENTER_H
#define TRACEMALLOC_SHADOWSTACKINSTRUMENTER_H

#include "AllocationAnalysis.h"
#include "SiteRecords.h"
#include "TraceMallocOptions.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/PassManager.h"

namespace llvm {

class CallBase;
class GlobalVariable;

/// Instruments one module (see above).
class ShadowStackInstrumenter {
public:
  ShadowStackInstrumenter(Module &M, const FamilyConfig *Config,
                          const TraceMallocOptions &Options,
                          FunctionAnalysisManager &FAM);

  /// Whether the module changed.
  bool run();

  // For the instrumentation of each function.
  const AllocationFunctions &getAllocationFunctions() const { return AllocFns; }
  /// The runtime entry point that replaces \p Callee.
  FunctionCallee getRuntimeFunction(Function &Callee,
                                    const tmabi::AllocFnInfo &Info);
  GlobalVariable *getSite(const DILocation *Loc, Function &F, unsigned Flags) {
    return Sites.getSite(Loc, F, Flags);
  }
  /// The declaration of the runtime's thread-local __tm_shadow.
  GlobalVariable *getShadowStack();
  StructType *getShadowStackType() const { return ShadowTy; }

private:
  bool isInstrumented(const Function &F) const;
  void dropMemoryEffects(const AllocationAnalysis &AA,
                         ArrayRef<CallBase *> SiteCalls);

  Module &M;
  LLVMContext &Ctx;
  const FamilyConfig *Config;
  const TraceMallocOptions &Options;
  FunctionAnalysisManager &FAM;
  AllocationFunctions AllocFns;
  SiteRecords Sites;
  StructType *ShadowTy;
  PointerType *PtrTy;
  GlobalVariable *ShadowStack = nullptr;
};

} // namespace llvm

#endif // TRACEMALLOC_SHADOWSTACKINSTRUMENTER_H
