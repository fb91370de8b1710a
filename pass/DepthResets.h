//===- DepthResets.h - Frames whose callers set the depth back --*- C++ -*-===//
//
// Which functions may leave the shadow-stack depth as their calls left it,
// rather than restore the one they found at every ret: those that only
// instrumented frames of this module can call, each of which then stores
// its own depth back after the call (docs/architecture.md, "Frames that
// leave the depth to their callers"). Their calls in tail position stay
// tail calls.
//
// A function qualifies when it has internal linkage and each use of it is
//  - the callee of a direct call that gets a site store in an instrumented
//    function, or
//  - an element of the initializer of an internal global (a table of
//    function pointers) that is only ever read, through loads whose values
//    are only called, by such calls: the function's address never reaches
//    other code. Every indirect call of the module then sets the depth back.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_DEPTHRESETS_H
#define TRACEMALLOC_DEPTHRESETS_H

#include "AllocationAnalysis.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace llvm {

class CallBase;
class Function;
class GlobalVariable;
class Module;
class Use;
class Value;

class DepthResets {
public:
  /// \p IsInstrumented says which functions get a frame when they need one.
  /// With \p Disabled (forwarding calls elided: they set nothing back) no
  /// function qualifies.
  DepthResets(Module &M, const AllocationFunctions &AllocFns,
              const AllocationAnalysis &AA,
              function_ref<bool(const Function &)> IsInstrumented,
              bool Disabled);

  /// Whether \p F leaves the depth to its callers.
  bool leavesDepth(const Function &F) const { return Leaving.contains(&F); }

  /// Whether \p CB, a call that may allocate, may reach a function that
  /// leaves the depth to its callers.
  bool mayReachLeaving(const CallBase &CB) const;

private:
  bool isFrameCallOf(const Use &U) const;
  bool isOnlyCalledFrom(const Value &Loaded) const;
  bool isCallTable(const GlobalVariable &GV);
  bool isTableEntry(const Use &U);
  bool qualifies(const Function &F);

  const AllocationFunctions &AllocFns;
  const AllocationAnalysis &AA;
  function_ref<bool(const Function &)> IsInstrumented;
  SmallPtrSet<const Function *, 32> Leaving;
  /// Tables already found to be read only for calls.
  SmallPtrSet<const GlobalVariable *, 4> CallTables;
  /// Whether a function reached through a table leaves the depth.
  bool IndirectReachLeaving = false;
};

} // namespace llvm

#endif // TRACEMALLOC_DEPTHRESETS_H
