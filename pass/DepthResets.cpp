//===- DepthResets.cpp - Frames whose callers set the depth back ----------===//
//
// See DepthResets.h.
//
//===----------------------------------------------------------------------===//

#include "DepthResets.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumLeavingFunctions,
          "Number of functions that leave the depth to their callers");
STATISTIC(NumCallTables,
          "Number of function-pointer tables read only to call through");

DepthResets::DepthResets(Module &M, const AllocationFunctions &AllocFns,
                         const AllocationAnalysis &AA,
                         function_ref<bool(const Function &)> IsInstrumented,
                         bool Disabled)
    : AllocFns(AllocFns), AA(AA), IsInstrumented(IsInstrumented) {
  if (Disabled)
    return;
  for (Function &F : M)
    if (qualifies(F))
      Leaving.insert(&F);
  NumLeavingFunctions += Leaving.size();
  LLVM_DEBUG(
      dbgs() << "tracemalloc: " << Leaving.size()
             << " functions leave the depth to their callers"
             << (IndirectReachLeaving ? ", some through tables\n" : "\n"));
}

bool DepthResets::mayReachLeaving(const CallBase &CB) const {
  // Not getCalledFunction(): it is null for a direct call whose type does
  // not match the callee's.
  if (const auto *Callee = dyn_cast<Function>(CB.getCalledOperand()))
    return leavesDepth(*Callee);
  return IndirectReachLeaving && !CB.isInlineAsm();
}

/// Whether \p U is the callee of a call that FunctionInstrumenter gives a
/// site store (and so can set the depth back after).
bool DepthResets::isFrameCallOf(const Use &U) const {
  const auto *CB = dyn_cast<CallBase>(U.getUser());
  if (!CB || !CB->isCallee(&U) || isa<CallBrInst>(CB))
    return false;
  const Function &Caller = *CB->getFunction();
  return IsInstrumented(Caller) && !Caller.isPresplitCoroutine() &&
         AA.getCallRole(*CB) == CallRole::MayAllocate;
}

bool DepthResets::isOnlyCalledFrom(const Value &Loaded) const {
  return all_of(Loaded.uses(), [&](const Use &U) { return isFrameCallOf(U); });
}

/// Whether \p GV, a global whose initializer holds function addresses, is
/// only ever read, and only to call what it read: loads of a pointer, at
/// constant or computed offsets, whose values are only called.
bool DepthResets::isCallTable(const GlobalVariable &GV) {
  if (CallTables.contains(&GV))
    return true;
  if (!GV.hasLocalLinkage() || !GV.hasInitializer() ||
      GV.isExternallyInitialized())
    return false;
  SmallVector<const Value *, 8> Worklist{&GV};
  while (!Worklist.empty()) {
    const Value *V = Worklist.pop_back_val();
    for (const Use &U : V->uses()) {
      const User *Usr = U.getUser();
      if (const auto *LI = dyn_cast<LoadInst>(Usr)) {
        if (!LI->getType()->isPointerTy() || !isOnlyCalledFrom(*LI))
          return false;
      } else if (const auto *GEP = dyn_cast<GEPOperator>(Usr)) {
        if (GEP->getPointerOperand() != V)
          return false;
        Worklist.push_back(GEP);
      } else {
        // A store into the table, its address passed on or compared.
        return false;
      }
    }
  }
  CallTables.insert(&GV);
  ++NumCallTables;
  return true;
}

/// Whether \p U, a use of a function's address in a constant, is an entry
/// of call tables only (constants are shared: every global whose
/// initializer holds it counts).
bool DepthResets::isTableEntry(const Use &U) {
  SmallVector<const User *, 8> Worklist{U.getUser()};
  while (!Worklist.empty()) {
    const User *Usr = Worklist.pop_back_val();
    if (const auto *GV = dyn_cast<GlobalVariable>(Usr)) {
      if (!isCallTable(*GV))
        return false;
    } else if (isa<ConstantAggregate>(Usr)) {
      for (const User *Outer : Usr->users())
        Worklist.push_back(Outer);
    } else {
      return false;
    }
  }
  return true;
}

bool DepthResets::qualifies(const Function &F) {
  if (!F.hasLocalLinkage() || !IsInstrumented(F) || !AA.mayAllocate(F) ||
      AllocFns.getAllocFnInfo(&F) || F.use_empty())
    return false;
  bool InTable = false;
  for (const Use &U : F.uses()) {
    if (isFrameCallOf(U))
      continue;
    if (!isTableEntry(U))
      return false;
    InTable = true;
  }
  IndirectReachLeaving |= InTable;
  return true;
}
