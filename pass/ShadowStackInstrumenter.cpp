//===- ShadowStackInstrumenter.cpp - Allocation calls and frames ----------===//
//
// See ShadowStackInstrumenter.h. The module-level part comes first (the
// runtime declarations, the walk over the functions, the memory effects
// the shadow stack contradicts), then FunctionInstrumenter, which does the
// work for one function: collect its calls, choose where its frame goes,
// rewrite its allocation calls and insert the frame.
//
//===----------------------------------------------------------------------===//

#include "ShadowStackInstrumenter.h"
#include "DepthResets.h"
#include "LLVMCompat.h"
#include "RuntimeABI.h"
#include "TraceMallocUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/BlockFrequencyInfo.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumRewrittenCalls, "Number of allocation calls redirected");
STATISTIC(NumFunctionsWithFrame,
          "Number of functions given a shadow-stack frame");
STATISTIC(NumShrinkWrappedFrames,
          "Number of frames set up below the entry block");
STATISTIC(NumCallFrames, "Number of frames pushed around one rarely made call");
STATISTIC(NumSiteStores, "Number of call-site stores into the shadow stack");
STATISTIC(NumNonAllocatingCalls,
          "Number of calls that need no site store (cannot allocate)");
STATISTIC(NumElidedTailCalls,
          "Number of tail calls left without a call site (elided frames)");
STATISTIC(NumDepthRestores,
          "Number of shadow-stack depth restores (exits, EH pads, setjmp)");
STATISTIC(NumDepthResets,
          "Number of depth stores after calls of functions that leave it");
STATISTIC(NumFramesLeftToCallers,
          "Number of frames whose rets leave the depth to their callers");
STATISTIC(NumSpilledFrames,
          "Number of frames keeping their depth in stack slots");
STATISTIC(NumStrippedFunctions,
          "Number of functions whose memory attributes were dropped");
STATISTIC(NumShadowStackDefinitions,
          "Number of modules defining the shadow stack (executables)");
STATISTIC(NumFamilySites,
          "Number of inlined family wrappers given their caller's site");

/// See FunctionInstrumenter::spillFrame.
static cl::opt<unsigned> SpilledFrameCalls(
    "tracemalloc-spilled-frame-calls",
    cl::desc("Keep the shadow-stack depth of functions with at least this "
             "many calls that may allocate in stack slots"),
    cl::init(16), cl::Hidden);

namespace {

/// Rewrites the allocation calls of one function and maintains its
/// shadow-stack frame.
class FunctionInstrumenter {
public:
  FunctionInstrumenter(ShadowStackInstrumenter &MI,
                       const AllocationAnalysis &AA, const DepthResets &Resets,
                       Function &F, bool ElideTailFrames,
                       FunctionAnalysisManager &FAM)
      : MI(MI), AllocFns(MI.getAllocationFunctions()), AA(AA), Resets(Resets),
        F(F), ElideTailFrames(ElideTailFrames),
        LeavesDepthToCallers(Resets.leavesDepth(F)), FAM(FAM) {}

  /// Instruments F; appends the calls that got a site store to \p SiteCalls.
  bool run(SmallVectorImpl<CallBase *> &SiteCalls);

private:
  void rewriteAllocCall(CallBase &CB, const tmabi::AllocFnInfo &Info,
                        unsigned Flags);
  void setFamilySite(CallBase &CB, unsigned Flags);
  BasicBlock *getFrameBlock(ArrayRef<CallBase *> FrameCalls,
                            ArrayRef<CallBase *> ReturnsTwiceCalls);
  bool preferCallFrames(ArrayRef<CallBase *> FrameCalls,
                        ArrayRef<CallBase *> ReturnsTwiceCalls);
  struct PushedFrame {
    Value *Shadow, *Depth, *Inner;
    /// A spilled frame's d and d % CAP, in stack slots (see spillFrame).
    AllocaInst *DepthSlot = nullptr, *IndexSlot = nullptr;
  };
  PushedFrame emitPush(IRBuilder<> &IRB);
  void spillFrame(IRBuilder<> &IRB, PushedFrame &Frame);
  Value *getDepth(IRBuilder<> &IRB, const PushedFrame &Frame);
  Value *getInner(IRBuilder<> &IRB, const PushedFrame &Frame);
  void emitSiteStore(IRBuilder<> &IRB, const PushedFrame &Frame, CallBase &CB);
  void insertCallFrames(ArrayRef<CallBase *> FrameCalls);
  bool getRegionExits(BasicBlock &FrameBB,
                      SmallVectorImpl<BasicBlock *> &Exits) const;
  void insertFrame(ArrayRef<CallBase *> SiteCalls,
                   ArrayRef<CallBase *> ReturnsTwiceCalls);
  Instruction *getRestorePoint(BasicBlock &BB) const;
  bool needsDepthAfter(const CallBase &CB) const;
  /// Whether a call in \p BB runs with this function's frame pushed.
  bool isInFrame(const BasicBlock &BB) const {
    return FrameBB && DT->dominates(FrameBB, &BB);
  }

  ShadowStackInstrumenter &MI;
  const AllocationFunctions &AllocFns;
  const AllocationAnalysis &AA;
  const DepthResets &Resets;
  Function &F;
  const bool ElideTailFrames;
  /// Whether F's callers set the depth back after calling it, so that its
  /// rets need not (DepthResets).
  const bool LeavesDepthToCallers;
  FunctionAnalysisManager &FAM;
  /// Only for functions that get a frame.
  DominatorTree *DT = nullptr;
  /// Where the frame is pushed; null without a frame.
  BasicBlock *FrameBB = nullptr;
  /// The blocks outside FrameBB's region that edges from inside lead to
  /// (none when FrameBB is the entry block).
  SmallVector<BasicBlock *, 4> FrameExits;
};

} // namespace

//===----------------------------------------------------------------------===//
// The module.
//===----------------------------------------------------------------------===//

ShadowStackInstrumenter::ShadowStackInstrumenter(
    Module &M, const FamilyConfig *Config, const TraceMallocOptions &Options,
    FunctionAnalysisManager &FAM)
    : M(M), Ctx(M.getContext()), Config(Config), Options(Options), FAM(FAM),
      AllocFns(M, Config), Sites(M),
      ShadowTy(tmabi::getShadowStackType(Ctx, M.getDataLayout())),
      PtrTy(PointerType::getUnqual(Ctx)) {}

bool ShadowStackInstrumenter::run() {
  if (Config && Config->isIgnoredSource(M)) {
    LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getSourceFileName()
                      << " is on the ignore list\n");
    return false;
  }

  // Computed before any change: rewriting turns allocation calls into
  // calls of __tm_* functions, which the analysis counts as allocation-free.
  AllocationAnalysis AA(M, AllocFns);
  DepthResets Resets(
      M, AllocFns, AA, [&](const Function &F) { return isInstrumented(F); },
      Options.ElideTailFrames);
  SmallVector<CallBase *, 64> SiteCalls;
  bool Changed = false;
  for (Function &F : M) {
    if (!isInstrumented(F))
      continue;
    Changed |=
        FunctionInstrumenter(*this, AA, Resets, F, Options.ElideTailFrames, FAM)
            .run(SiteCalls);
  }
  if (Changed)
    dropMemoryEffects(AA, SiteCalls);
  return Changed;
}

bool ShadowStackInstrumenter::isInstrumented(const Function &F) const {
  return !shouldSkipFunction(F) && !isFamilyFunction(F) &&
         !(Config && Config->isIgnoredFunction(F));
}

FunctionCallee
ShadowStackInstrumenter::getRuntimeFunction(Function &Callee,
                                            const tmabi::AllocFnInfo &Info) {
  FunctionType *OrigTy = Callee.getFunctionType();
  SmallVector<Type *, 5> Params(OrigTy->params().begin(),
                                OrigTy->params().end());
  Params.push_back(PtrTy);
  FunctionType *FTy =
      FunctionType::get(OrigTy->getReturnType(), Params, /*isVarArg=*/false);

  // Keep what lets codegen and alias analysis treat the result as fresh
  // memory of a known size, but not allockind / alloc-family: those would
  // make LLVM treat __tm_* as library allocators it may fold or remove.
  // The extra site argument comes last, so allocsize's indices still hold.
  AttrBuilder FnAttrs(Ctx), RetAttrs(Ctx);
  if (Callee.hasFnAttribute(Attribute::AllocSize))
    FnAttrs.addAttribute(Callee.getFnAttribute(Attribute::AllocSize));
  // The runtime throws exactly when the original does (operator new).
  if (Callee.hasFnAttribute(Attribute::NoUnwind))
    FnAttrs.addAttribute(Attribute::NoUnwind);
  if (Callee.hasRetAttribute(Attribute::NoAlias))
    RetAttrs.addAttribute(Attribute::NoAlias);
  AttributeList Attrs = AttributeList::get(Ctx, AttributeSet::get(Ctx, FnAttrs),
                                           AttributeSet::get(Ctx, RetAttrs),
                                           ArrayRef<AttributeSet>());
  return M.getOrInsertFunction(Info.RuntimeName, FTy, Attrs);
}

/// Whether \p M can only be linked into an executable: code built with
/// -fPIE or without -fPIC, for ELF (where the executable's definitions come
/// first in symbol lookup).
static bool isForExecutable(const Module &M) {
  if (!Triple(M.getTargetTriple()).isOSBinFormatELF())
    return false;
  return M.getPIELevel() != PIELevel::Default ||
         M.getPICLevel() == PICLevel::NotPIC;
}

GlobalVariable *ShadowStackInstrumenter::getShadowStack() {
  if (ShadowStack)
    return ShadowStack;
  // A module that includes tm_abi.h may use __tm_shadow itself.
  if (GlobalVariable *Existing = M.getNamedGlobal(tmabi::ShadowStackVarName)) {
    if (!Existing->isThreadLocal())
      report_fatal_error(Twine("tracemalloc: ") + tmabi::ShadowStackVarName +
                         " is declared, but not thread_local");
    return ShadowStack = Existing;
  }
  if (isForExecutable(M)) {
    // Code for an executable defines the shadow stack itself, once per
    // link (a comdat), and reaches it with local-exec TLS: %fs:OFFSET, with
    // no offset to load from the GOT and keep in a register. The executable
    // exports the definition (libtracemalloc.so defines the symbol too), so
    // the runtime and every instrumented shared library bind to it: the
    // executable comes first in symbol lookup. The runtime's own definition
    // then goes unused.
    ShadowStack = new GlobalVariable(
        M, ShadowTy, /*isConstant=*/false, GlobalValue::LinkOnceODRLinkage,
        Constant::getNullValue(ShadowTy), tmabi::ShadowStackVarName,
        /*InsertBefore=*/nullptr, GlobalValue::LocalExecTLSModel);
    ShadowStack->setDSOLocal(true);
    ShadowStack->setComdat(M.getOrInsertComdat(tmabi::ShadowStackVarName));
    ++NumShadowStackDefinitions;
    return ShadowStack;
  }
  // Code that may go into a shared library uses the runtime's definition
  // (or the executable's), initial-exec like it: one add to the thread
  // pointer, no __tls_get_addr call in the prologue of every frame.
  ShadowStack = new GlobalVariable(
      M, ShadowTy, /*isConstant=*/false, GlobalValue::ExternalLinkage,
      /*Initializer=*/nullptr, tmabi::ShadowStackVarName,
      /*InsertBefore=*/nullptr, GlobalValue::InitialExecTLSModel);
  return ShadowStack;
}

void ShadowStackInstrumenter::dropMemoryEffects(
    const AllocationAnalysis &AA, ArrayRef<CallBase *> SiteCalls) {
  // A function that may allocate reads the shadow stack (the runtime does,
  // on its behalf), and one with a frame writes it: so do their calls. This
  // is what the sanitizers do for the functions they instrument.
  AttributeMask Mask = getShadowStackContradictedAttrs();
  for (Function &F : M) {
    if (!AA.mayAllocate(F))
      continue;
    if (tmcompat::hasMemoryEffectAttrs(F) ||
        F.hasFnAttribute(Attribute::Speculatable)) {
      F.removeFnAttrs(Mask);
      ++NumStrippedFunctions;
    }
    for (User *U : F.users())
      if (auto *CB = dyn_cast<CallBase>(U))
        if (CB->getCalledOperand() == &F)
          CB->removeFnAttrs(Mask);
  }
  // Indirect calls, and calls whose own attributes were the stricter ones.
  for (CallBase *CB : SiteCalls)
    CB->removeFnAttrs(Mask);
}

//===----------------------------------------------------------------------===//
// One function.
//===----------------------------------------------------------------------===//

/// A call whose result, if any, the function returns at once: with
/// -tracemalloc-elide-tail-frames, it runs with the caller's depth, as a tail
/// call.
static bool isForwardingCall(const CallBase &CB) {
  const auto *CI = dyn_cast<CallInst>(&CB);
  if (!CI || isa<IntrinsicInst>(CI) || CI->isInlineAsm() ||
      CI->hasFnAttr(Attribute::ReturnsTwice))
    return false;
  if (const Function *Callee = CI->getCalledFunction();
      Callee && tmabi::isRuntimeName(Callee->getName()))
    return false;
  const auto *Ret = dyn_cast_or_null<ReturnInst>(CI->getNextNode());
  return Ret && (!Ret->getReturnValue() || Ret->getReturnValue() == CI);
}

/// Drops the call-site attributes that describe the original callee rather
/// than the call: those that tell LLVM it is a known allocator (the runtime
/// entry points are not, or LLVM could fold or remove them like malloc), and
/// memory effects (the runtime reads the site record and its own globals).
static AttributeSet dropCalleeFacts(LLVMContext &Ctx, AttributeSet Attrs) {
  static const char *const Dropped[] = {"builtin", "allockind", "alloc-family",
                                        "alloc-variant-zeroed", "memory"};
  for (const char *Name : Dropped) {
    // Look the kind up by name: allockind is not an enum attribute in every
    // LLVM version, and the string attributes have no enum at all.
    Attribute::AttrKind Kind = Attribute::getAttrKindFromName(Name);
    Attrs = Kind != Attribute::None ? Attrs.removeAttribute(Ctx, Kind)
                                    : Attrs.removeAttribute(Ctx, Name);
  }
  return Attrs;
}

bool FunctionInstrumenter::run(SmallVectorImpl<CallBase *> &SiteCalls) {
  // Collect first: rewriting erases instructions.
  SmallVector<std::pair<CallBase *, const tmabi::AllocFnInfo *>, 8> AllocCalls;
  SmallVector<CallBase *, 16> FrameCalls;
  SmallVector<CallBase *, 2> ReturnsTwiceCalls;
  // The recording calls of family wrappers inlined here.
  SmallVector<CallBase *, 2> FamilyCalls;
  for (Instruction &I : instructions(F)) {
    // callbr only ever calls inline asm.
    if (!isa<CallInst>(I) && !isa<InvokeInst>(I))
      continue;
    auto *CB = cast<CallBase>(&I);
    CallRole Role = AA.getCallRole(*CB);
    switch (Role) {
    case CallRole::FamilyRecord:
      FamilyCalls.push_back(CB);
      continue;
    case CallRole::Allocation:
      AllocCalls.push_back(
          {CB, AllocFns.getAllocFnInfo(CB->getCalledFunction())});
      continue;
    default:
      break;
    }
    if (CB->hasFnAttr(Attribute::ReturnsTwice))
      ReturnsTwiceCalls.push_back(CB);
    if (Role == CallRole::MayAllocate) {
      if (ElideTailFrames && isForwardingCall(*CB))
        ++NumElidedTailCalls;
      else
        FrameCalls.push_back(CB);
    } else if (Role == CallRole::InlinedFromFamily ||
               (Role == CallRole::NoAllocation && !isa<IntrinsicInst>(CB) &&
                !CB->isInlineAsm())) {
      ++NumNonAllocatingCalls;
    }
  }

  // A coroutine before splitting would keep the depth it read at entry
  // across suspension points: its parts get frames once split (the pass
  // runs after CoroSplit in the default pipelines).
  bool HasFrame = !FrameCalls.empty() && !F.isPresplitCoroutine();
  LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName() << ": "
                    << AllocCalls.size() << " allocation calls, "
                    << FrameCalls.size() << " calls that may allocate"
                    << (HasFrame ? ", frame\n" : ", no frame\n"));
  bool CallFrames = false;
  if (HasFrame) {
    DT = &FAM.getResult<DominatorTreeAnalysis>(F);
    FrameBB = getFrameBlock(FrameCalls, ReturnsTwiceCalls);
    if (preferCallFrames(FrameCalls, ReturnsTwiceCalls)) {
      // No frame for the function as a whole: every allocation in it is
      // made outside one.
      CallFrames = true;
      FrameBB = nullptr;
      FrameExits.clear();
    }
  }
  // Inside the frame, the top slot is this function's own and holds a stale
  // site when it allocates; outside, the top slot is its caller's.
  for (auto &[CB, Info] : AllocCalls)
    rewriteAllocCall(
        *CB, *Info, isInFrame(*CB->getParent()) ? tmabi::TM_SITE_OWN_FRAME : 0);
  for (CallBase *CB : FamilyCalls)
    setFamilySite(*CB,
                  isInFrame(*CB->getParent()) ? tmabi::TM_SITE_OWN_FRAME : 0);
  if (!HasFrame)
    return !AllocCalls.empty() || !FamilyCalls.empty();
  if (CallFrames)
    insertCallFrames(FrameCalls);
  else
    insertFrame(FrameCalls, ReturnsTwiceCalls);
  SiteCalls.append(FrameCalls.begin(), FrameCalls.end());
  return true;
}

/// Where the frame is pushed: the nearest block that dominates every call
/// that needs it, hoisted out of loops (pushing it once per iteration would
/// cost more than once per call of the function). A function that allocates
/// only on a rare path, like an error or a cache miss, then pays for its
/// frame only there. The frame is popped on every edge that leaves the
/// blocks that block dominates (see getRegionExits): a block it dominates
/// can only be entered through it, so inside them the frame is always
/// pushed, and outside never. Fills FrameExits.
BasicBlock *
FunctionInstrumenter::getFrameBlock(ArrayRef<CallBase *> FrameCalls,
                                    ArrayRef<CallBase *> ReturnsTwiceCalls) {
  BasicBlock *Entry = &F.getEntryBlock();
  BasicBlock *Common = nullptr;
  auto Include = [&](BasicBlock *BB) {
    // Unreachable code runs never; dominance says nothing about it.
    if (!DT->isReachableFromEntry(BB))
      return;
    Common = Common ? DT->findNearestCommonDominator(Common, BB) : BB;
  };
  for (CallBase *CB : FrameCalls)
    Include(CB->getParent());
  // After a longjmp or a caught exception this frame is the top one again:
  // the depth is restored there, so its value must be at hand.
  for (CallBase *CB : ReturnsTwiceCalls)
    Include(CB->getParent());
  for (BasicBlock &BB : F)
    if (BB.isEHPad())
      Include(&BB);
  if (!Common)
    return Entry;
  LoopInfo &LI = FAM.getResult<LoopAnalysis>(F);
  while (Loop *L = LI.getLoopFor(Common))
    Common = DT->getNode(L->getHeader())->getIDom()->getBlock();
  // An EH pad has no room for the push before its pad instruction's users.
  if (Common->isEHPad())
    return Entry;
  if (Common != Entry && !getRegionExits(*Common, FrameExits)) {
    LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName()
                      << ": frame region has an unsplittable exit\n");
    FrameExits.clear();
    return Entry;
  }
  return Common;
}

/// The blocks outside the region dominated by \p FrameBB that an edge from
/// inside leads to. False when such an edge cannot get a block of its own
/// (indirectbr, callbr, an unwind edge).
bool FunctionInstrumenter::getRegionExits(
    BasicBlock &FrameBB, SmallVectorImpl<BasicBlock *> &Exits) const {
  SmallPtrSet<BasicBlock *, 4> Seen;
  for (BasicBlock &BB : F) {
    if (!DT->isReachableFromEntry(&BB) || !DT->dominates(&FrameBB, &BB))
      continue;
    Instruction *Term = BB.getTerminator();
    for (unsigned I = 0, E = Term->getNumSuccessors(); I != E; ++I) {
      BasicBlock *Succ = Term->getSuccessor(I);
      if (DT->dominates(&FrameBB, Succ))
        continue;
      bool NormalEdge = isa<BranchInst>(Term) || isa<SwitchInst>(Term) ||
                        (isa<InvokeInst>(Term) &&
                         cast<InvokeInst>(Term)->getNormalDest() == Succ);
      if (!NormalEdge || Succ->isEHPad())
        return false;
      if (Seen.insert(Succ).second)
        Exits.push_back(Succ);
    }
  }
  return true;
}

/// Whether each call that needs the frame should push one of its own,
/// around the call, instead of the function pushing one: when the calls are
/// rare (error paths, a slow path of an allocator). Shrink-wrapping moves
/// the frame's code off the common path, but not its cost there: the frame
/// keeps d live across its calls, in a callee-saved register that the
/// prologue saves on every run (with a push to keep the stack aligned, as
/// often as not), while a frame around one call keeps nothing live across
/// it. A frame around one call costs about what the function's frame does
/// (load, store, slot address; a store on the way out), so it pays when the
/// calls, together, are expected on fewer than half of the function's runs:
/// the static estimate of block frequencies (loops, branch weights such as
/// __builtin_expect's, paths to noreturn or cold calls) says. A frame must
/// be at hand after setjmp returns again and in a landing pad, and an
/// invoke's unwind edge has no room for the pop: those functions keep the
/// function's frame.
bool FunctionInstrumenter::preferCallFrames(
    ArrayRef<CallBase *> FrameCalls, ArrayRef<CallBase *> ReturnsTwiceCalls) {
  if (!ReturnsTwiceCalls.empty() ||
      any_of(FrameCalls, [](CallBase *CB) { return isa<InvokeInst>(CB); }) ||
      any_of(F, [](BasicBlock &BB) { return BB.isEHPad(); }))
    return false;
  BlockFrequencyInfo &BFI = FAM.getResult<BlockFrequencyAnalysis>(F);
  uint64_t Entry = BFI.getBlockFreq(&F.getEntryBlock()).getFrequency();
  uint64_t Calls = 0;
  for (CallBase *CB : FrameCalls)
    Calls =
        SaturatingAdd(Calls, BFI.getBlockFreq(CB->getParent()).getFrequency());
  LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName() << ": calls that may "
                    << "allocate run " << Calls << " times per " << Entry
                    << " entries\n");
  return Calls < Entry / 2;
}

/// Where the frame's entry code goes: after the static allocas, which must
/// stay first in the entry block to remain static.
static BasicBlock::iterator getFrameInsertionPoint(Function &F) {
  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock::iterator IP = Entry.getFirstInsertionPt();
  while (IP != Entry.end() && isa<AllocaInst>(*IP))
    ++IP;
  return IP;
}

/// The first instruction to run after \p CB returns.
static BasicBlock::iterator getAfterCall(CallBase &CB) {
  if (auto *II = dyn_cast<InvokeInst>(&CB)) {
    // The normal destination may have other predecessors.
    BasicBlock *Dest = II->getNormalDest();
    if (!Dest->getSinglePredecessor())
      Dest = SplitEdge(II->getParent(), Dest);
    return Dest->getFirstInsertionPt();
  }
  return std::next(CB.getIterator());
}

/// Where the depth is restored on the way out through the ret of \p BB:
/// before the ret, or before the call that ends the block when nothing of
/// this frame is needed during it, so that it stays a tail call.
Instruction *FunctionInstrumenter::getRestorePoint(BasicBlock &BB) const {
  // The ret of a musttail call must follow it immediately.
  if (CallInst *MustTail = BB.getTerminatingMustTailCall())
    return MustTail;
  Instruction *Ret = BB.getTerminator();
  auto *CI = dyn_cast_or_null<CallInst>(Ret->getPrevNode());
  if (!CI || isa<IntrinsicInst>(CI) || CI->isInlineAsm())
    return Ret;
  // A callee that cannot allocate neither reads nor writes the shadow
  // stack; but the runtime's entry points read this frame's slot (a
  // rewritten allocation's site says the frame is there), and a
  // returns_twice call is followed by its own store.
  const Function *Callee = CI->getCalledFunction();
  if ((Callee && tmabi::isRuntimeName(Callee->getName())) ||
      CI->hasFnAttr(Attribute::ReturnsTwice))
    return Ret;
  if (AA.mayAllocate(*CI) && !(ElideTailFrames && isForwardingCall(*CI)))
    return Ret;
  return CI;
}

/// Push: d = depth; depth = d + 1, at \p IRB's insertion point. The code
/// belongs to no source line.
FunctionInstrumenter::PushedFrame
FunctionInstrumenter::emitPush(IRBuilder<> &IRB) {
  LLVMContext &Ctx = F.getContext();
  Type *Int32Ty = Type::getInt32Ty(Ctx);
  if (DISubprogram *SP = F.getSubprogram())
    IRB.SetCurrentDebugLocation(DILocation::get(Ctx, 0, 0, SP));
  Value *Shadow =
      tmcompat::createThreadLocalAddress(IRB, MI.getShadowStack(), "tm.shadow");
  // depth is the first field of the shadow stack.
  Value *Depth = IRB.CreateLoad(Int32Ty, Shadow, "tm.depth");
  Value *Inner =
      IRB.CreateAdd(Depth, ConstantInt::get(Int32Ty, 1), "tm.depth.inner");
  IRB.CreateStore(Inner, Shadow);
  return {Shadow, Depth, Inner};
}

/// Keeps a frame's d, and its slot index d % CAP, in stack slots rather
/// than registers, for a function with many calls that may allocate: in an
/// interpreter's dispatch loop (CPython's _PyEval_EvalFrameDefault, with
/// hundreds), d held in a callee-saved register across every call pushed
/// one of the loop's own values out to the stack, reloaded at every
/// dispatch; a site store then loads the index it needs (three instructions
/// in all, one fewer than masking d each time) and exits load d. Nothing
/// after this pass promotes the slots back to registers.
void FunctionInstrumenter::spillFrame(IRBuilder<> &IRB, PushedFrame &Frame) {
  Type *Int32Ty = IRB.getInt32Ty();
  IRBuilder<> EntryIRB(&F.getEntryBlock(), F.getEntryBlock().begin());
  Frame.DepthSlot = EntryIRB.CreateAlloca(Int32Ty, nullptr, "tm.depth.slot");
  Frame.IndexSlot = EntryIRB.CreateAlloca(Int32Ty, nullptr, "tm.index.slot");
  IRB.CreateStore(Frame.Depth, Frame.DepthSlot);
  IRB.CreateStore(
      IRB.CreateAnd(Frame.Depth,
                    ConstantInt::get(Int32Ty, tmabi::TM_SHADOW_CAP - 1),
                    "tm.index"),
      Frame.IndexSlot);
  ++NumSpilledFrames;
}

/// d, at \p IRB's insertion point.
Value *FunctionInstrumenter::getDepth(IRBuilder<> &IRB,
                                      const PushedFrame &Frame) {
  if (!Frame.DepthSlot)
    return Frame.Depth;
  return IRB.CreateLoad(IRB.getInt32Ty(), Frame.DepthSlot, "tm.depth.spilled");
}

/// d + 1, at \p IRB's insertion point.
Value *FunctionInstrumenter::getInner(IRBuilder<> &IRB,
                                      const PushedFrame &Frame) {
  if (!Frame.DepthSlot)
    return Frame.Inner;
  return IRB.CreateAdd(getDepth(IRB, Frame), IRB.getInt32(1),
                       "tm.depth.inner.spilled");
}

/// slots[d % CAP] = the site of \p CB, before it. The slot's address is
/// computed here, from d, rather than once at the push: then only d, which
/// every exit needs anyway, stays live across the function's calls, and the
/// frame costs one callee-saved register rather than two.
void FunctionInstrumenter::emitSiteStore(IRBuilder<> &IRB,
                                         const PushedFrame &Frame,
                                         CallBase &CB) {
  IRB.SetInsertPoint(&CB);
  // The slots are a ring: deeper than the capacity, a frame takes the slot
  // of the frame TM_SHADOW_CAP below it, so the innermost ones stay exact.
  Value *Index =
      Frame.IndexSlot
          ? IRB.CreateLoad(IRB.getInt32Ty(), Frame.IndexSlot, "tm.index")
          : IRB.CreateAnd(
                Frame.Depth,
                ConstantInt::get(IRB.getInt32Ty(), tmabi::TM_SHADOW_CAP - 1),
                "tm.index");
  Index = IRB.CreateZExt(Index, IRB.getInt64Ty(), "tm.index.ext");
  Value *Slot = IRB.CreateInBoundsGEP(
      MI.getShadowStackType(), Frame.Shadow,
      {IRB.getInt64(0), IRB.getInt32(tmabi::ShadowStackField::slots), Index},
      "tm.slot");
  IRB.CreateStore(MI.getSite(CB.getDebugLoc().get(), F, /*Flags=*/0), Slot);
  ++NumSiteStores;
}

/// A frame around each call (see preferCallFrames): pushed right before it,
/// with the call's site in its slot, popped right after it. The pop
/// decrements: when the call returns, the callee has restored the depth it
/// found, the pushed one (no setjmp, no landing pad here: nothing else
/// comes back to this point), and keeping the old depth in a register
/// across the call would cost the common path a register save. A callee
/// that leaves the depth to its callers gets the old depth stored back
/// instead; a call in tail position of a function that leaves the depth to
/// its own callers needs no pop at all.
void FunctionInstrumenter::insertCallFrames(ArrayRef<CallBase *> FrameCalls) {
  ++NumFunctionsWithFrame;
  Type *Int32Ty = Type::getInt32Ty(F.getContext());
  for (CallBase *CB : FrameCalls) {
    IRBuilder<> IRB(CB);
    PushedFrame Push = emitPush(IRB);
    emitSiteStore(IRB, Push, *CB);
    ++NumCallFrames;
    if (LeavesDepthToCallers && isa<ReturnInst>(CB->getNextNode()))
      continue;
    IRB.SetInsertPoint(CB->getNextNode());
    if (needsDepthAfter(*CB)) {
      IRB.CreateStore(Push.Depth, Push.Shadow);
    } else {
      Value *After = IRB.CreateLoad(Int32Ty, Push.Shadow, "tm.depth.after");
      IRB.CreateStore(
          IRB.CreateSub(After, ConstantInt::get(Int32Ty, 1), "tm.depth.popped"),
          Push.Shadow);
    }
    ++NumDepthRestores;
  }
}

/// Whether the depth must be set back right after \p CB, a call that may
/// allocate: when its callee leaves the depth to its callers, unless the
/// function returns at once (its rets restore the depth, or leave that to
/// its own callers in turn).
bool FunctionInstrumenter::needsDepthAfter(const CallBase &CB) const {
  if (!Resets.mayReachLeaving(CB))
    return false;
  return !isa<CallInst>(CB) || !isa<ReturnInst>(CB.getNextNode());
}

void FunctionInstrumenter::insertFrame(ArrayRef<CallBase *> FrameCalls,
                                       ArrayRef<CallBase *> ReturnsTwiceCalls) {
  ++NumFunctionsWithFrame;
  bool AtEntry = FrameBB == &F.getEntryBlock();
  if (!AtEntry)
    ++NumShrinkWrappedFrames;
  // Collected before the CFG changes below.
  SmallVector<BasicBlock *, 8> Returns;
  for (BasicBlock &BB : F)
    if (isa<ReturnInst>(BB.getTerminator()) && isInFrame(BB))
      Returns.push_back(&BB);

  IRBuilder<> IRB(FrameBB, AtEntry ? getFrameInsertionPoint(F)
                                   : FrameBB->getFirstInsertionPt());
  PushedFrame Frame = emitPush(IRB);
  if (FrameCalls.size() >= SpilledFrameCalls)
    spillFrame(IRB, Frame);
  Value *Shadow = Frame.Shadow;

  // The call site, before each call that may allocate; after it, this
  // frame is the top one again if the callee left its own depth.
  for (CallBase *CB : FrameCalls) {
    emitSiteStore(IRB, Frame, *CB);
    if (needsDepthAfter(*CB)) {
      tmcompat::setInsertPoint(IRB, getAfterCall(*CB));
      IRB.CreateStore(getInner(IRB, Frame), Shadow);
      ++NumDepthResets;
    }
  }

  // Returns restore the depth the caller had (never decrement: a callee
  // that was left by longjmp or an exception did not restore its own); so
  // do the edges that leave the frame's region. A function whose callers
  // set the depth back skips the restores at its rets, but not the one
  // before a musttail call: the callee takes this frame's place.
  if (LeavesDepthToCallers)
    ++NumFramesLeftToCallers;
  for (BasicBlock *BB : Returns) {
    if (LeavesDepthToCallers && !BB->getTerminatingMustTailCall())
      continue;
    IRB.SetInsertPoint(getRestorePoint(*BB));
    IRB.CreateStore(getDepth(IRB, Frame), Shadow);
    ++NumDepthRestores;
  }
  for (BasicBlock *Exit : FrameExits) {
    SmallVector<BasicBlock *, 4> Inside;
    for (BasicBlock *Pred : predecessors(Exit))
      if (isInFrame(*Pred) && !is_contained(Inside, Pred))
        Inside.push_back(Pred);
    BasicBlock *Pop = SplitBlockPredecessors(Exit, Inside, ".tm.pop",
                                             (DominatorTree *)nullptr);
    IRB.SetInsertPoint(Pop->getTerminator());
    IRB.CreateStore(getDepth(IRB, Frame), Shadow);
    ++NumDepthRestores;
  }

  // When setjmp returns again (longjmp) and when an exception lands here,
  // the frames in between are gone: this frame is the top one again.
  for (CallBase *CB : ReturnsTwiceCalls) {
    tmcompat::setInsertPoint(IRB, getAfterCall(*CB));
    IRB.CreateStore(getInner(IRB, Frame), Shadow);
    ++NumDepthRestores;
  }
  for (BasicBlock &BB : F) {
    // A catchswitch block holds nothing else; its catchpads get the store.
    if (!BB.isEHPad() || isa<CatchSwitchInst>(tmcompat::getFirstNonPHI(BB)))
      continue;
    IRB.SetInsertPoint(&BB, BB.getFirstInsertionPt());
    IRB.CreateStore(getInner(IRB, Frame), Shadow);
    ++NumDepthRestores;
  }
}

void FunctionInstrumenter::rewriteAllocCall(CallBase &CB,
                                            const tmabi::AllocFnInfo &Info,
                                            unsigned Flags) {
  LLVMContext &Ctx = F.getContext();
  FunctionCallee RuntimeFn =
      MI.getRuntimeFunction(*CB.getCalledFunction(), Info);
  GlobalVariable *Site = MI.getSite(CB.getDebugLoc().get(), F, Flags);
  LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName() << ": " << CB << " -> "
                    << Info.RuntimeName << "\n");

  SmallVector<Value *, 5> Args(CB.args());
  Args.push_back(Site);
  SmallVector<OperandBundleDef, 1> Bundles;
  CB.getOperandBundlesAsDefs(Bundles);

  IRBuilder<> IRB(&CB);
  CallBase *NewCB;
  if (auto *II = dyn_cast<InvokeInst>(&CB)) {
    NewCB = IRB.CreateInvoke(RuntimeFn, II->getNormalDest(),
                             II->getUnwindDest(), Args, Bundles);
  } else {
    auto *CI = cast<CallInst>(&CB);
    CallInst *NewCI = IRB.CreateCall(RuntimeFn, Args, Bundles);
    // A musttail call must have the caller's prototype, which the extra
    // argument breaks; a plain tail call keeps the rest of its meaning.
    CallInst::TailCallKind TCK = CI->getTailCallKind();
    NewCI->setTailCallKind(TCK == CallInst::TCK_MustTail ? CallInst::TCK_Tail
                                                         : TCK);
    NewCB = NewCI;
  }
  NewCB->setCallingConv(CB.getCallingConv());
  // Also copies !dbg and !heapallocsite.
  NewCB->copyMetadata(CB);

  // The original arguments keep their positions, so their attributes do
  // too; the site argument has none.
  AttributeList Attrs = CB.getAttributes();
  SmallVector<AttributeSet, 5> ParamAttrs;
  for (unsigned I = 0, E = CB.arg_size(); I != E; ++I)
    ParamAttrs.push_back(Attrs.getParamAttrs(I));
  NewCB->setAttributes(
      AttributeList::get(Ctx, dropCalleeFacts(Ctx, Attrs.getFnAttrs()),
                         Attrs.getRetAttrs(), ParamAttrs));

  NewCB->takeName(&CB);
  CB.replaceAllUsesWith(NewCB);
  CB.eraseFromParent();
  ++NumRewrittenCalls;
}

void FunctionInstrumenter::setFamilySite(CallBase &CB, unsigned Flags) {
  // The call carries the wrapper's artificial location, inlined at the call
  // of the wrapper it replaced: that call is the allocation's site. (A
  // wrapper without debug information left the call's location itself.)
  const DILocation *Loc = CB.getDebugLoc().get();
  if (Loc && AllocFns.isFamilyScope(Loc->getScope()->getSubprogram()))
    Loc = Loc->getInlinedAt();
  LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName()
                    << ": inlined family call " << CB << "\n");
  CB.setArgOperand(CB.arg_size() - 1, MI.getSite(Loc, F, Flags));
  ++NumFamilySites;
}
