//===- LLVMCompat.h - Differences between the supported LLVMs ---*- C++ -*-===//
//
// TraceMalloc builds against LLVM 14 to 22. Every difference between these
// versions' APIs is isolated here, as small inline functions chosen with
// LLVM_VERSION_MAJOR, so that the pass's other files read as one version.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_LLVMCOMPAT_H
#define TRACEMALLOC_LLVMCOMPAT_H

#include "llvm/Config/llvm-config.h"
#if LLVM_VERSION_MAJOR >= 15
#include "llvm/IR/AttributeMask.h"
#endif
#include "llvm/IR/Attributes.h"
#include "llvm/IR/BasicBlock.h"
#if LLVM_VERSION_MAJOR >= 17
#include "llvm/IR/EHPersonalities.h"
#else
#include "llvm/Analysis/EHPersonalities.h"
#endif
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/GlobPattern.h"
#if LLVM_VERSION_MAJOR >= 17
#include "llvm/TargetParser/Triple.h"
#else
#include "llvm/ADT/Triple.h"
#endif
#if LLVM_VERSION_MAJOR >= 22
#include "llvm/Plugins/PassPlugin.h"
#else
#include "llvm/Passes/PassPlugin.h"
#endif

namespace llvm {
namespace tmcompat {

/// Whether \p S starts with \p Prefix: StringRef::startswith became
/// starts_with in LLVM 16, and the old name is gone since LLVM 19.
inline bool startsWith(StringRef S, StringRef Prefix) {
  return S.take_front(Prefix.size()) == Prefix;
}

/// Whether \p Ctx has typed pointers (LLVM 14's default; LLVM 17 has only
/// opaque ones). The pass creates `ptr` types and needs opaque pointers.
inline bool usesTypedPointers(LLVMContext &Ctx) {
#if LLVM_VERSION_MAJOR >= 17
  (void)Ctx;
  return false;
#else
  return Ctx.supportsTypedPointers();
#endif
}

/// A glob of the ignore list, with a bound on brace expansion where
/// GlobPattern has braces (LLVM 17).
inline Expected<GlobPattern> createGlobPattern(StringRef Pattern) {
#if LLVM_VERSION_MAJOR >= 17
  return GlobPattern::create(Pattern, /*MaxSubPatterns=*/1024);
#else
  return GlobPattern::create(Pattern);
#endif
}

/// llvm.experimental.patchpoint (llvm.experimental.patchpoint.i64 before
/// LLVM 19) and llvm.experimental.patchpoint.void.
inline bool isPatchpointIntrinsic(Intrinsic::ID ID) {
#if LLVM_VERSION_MAJOR >= 19
  return ID == Intrinsic::experimental_patchpoint ||
         ID == Intrinsic::experimental_patchpoint_void;
#else
  return ID == Intrinsic::experimental_patchpoint_i64 ||
         ID == Intrinsic::experimental_patchpoint_void;
#endif
}

/// Adds the function attributes that describe memory effects to \p Mask:
/// memory(...) since LLVM 16, readnone / readonly / writeonly / argmemonly /
/// inaccessiblememonly / inaccessiblemem_or_argmemonly before.
inline void addMemoryEffectAttrs(AttributeMask &Mask) {
#if LLVM_VERSION_MAJOR >= 16
  Mask.addAttribute(Attribute::Memory);
#else
  for (Attribute::AttrKind Kind :
       {Attribute::ReadNone, Attribute::ReadOnly, Attribute::WriteOnly,
        Attribute::ArgMemOnly, Attribute::InaccessibleMemOnly,
        Attribute::InaccessibleMemOrArgMemOnly})
    Mask.addAttribute(Kind);
#endif
}

/// Whether \p F has one of the attributes of addMemoryEffectAttrs.
inline bool hasMemoryEffectAttrs(const Function &F) {
#if LLVM_VERSION_MAJOR >= 16
  return F.hasFnAttribute(Attribute::Memory);
#else
  for (Attribute::AttrKind Kind :
       {Attribute::ReadNone, Attribute::ReadOnly, Attribute::WriteOnly,
        Attribute::ArgMemOnly, Attribute::InaccessibleMemOnly,
        Attribute::InaccessibleMemOrArgMemOnly})
    if (F.hasFnAttribute(Kind))
      return true;
  return false;
#endif
}

/// A distinct copy of \p SP with \p Flags (the operands differ by version).
inline DISubprogram *getDistinctSubprogram(LLVMContext &Ctx,
                                           const DISubprogram &SP,
                                           DINode::DIFlags Flags) {
#if LLVM_VERSION_MAJOR >= 15
  return DISubprogram::getDistinct(
      Ctx, SP.getScope(), SP.getName(), SP.getLinkageName(), SP.getFile(),
      SP.getLine(), SP.getType(), SP.getScopeLine(), SP.getContainingType(),
      SP.getVirtualIndex(), SP.getThisAdjustment(), Flags, SP.getSPFlags(),
      SP.getUnit(), SP.getTemplateParams(), SP.getDeclaration(),
      /*RetainedNodes=*/nullptr, SP.getThrownTypes(), SP.getAnnotations(),
      SP.getTargetFuncName());
#else
  return DISubprogram::getDistinct(
      Ctx, SP.getScope(), SP.getName(), SP.getLinkageName(), SP.getFile(),
      SP.getLine(), SP.getType(), SP.getScopeLine(), SP.getContainingType(),
      SP.getVirtualIndex(), SP.getThisAdjustment(), Flags, SP.getSPFlags(),
      SP.getUnit(), SP.getTemplateParams(), SP.getDeclaration(),
      /*RetainedNodes=*/nullptr, SP.getThrownTypes(), SP.getAnnotations());
#endif
}

/// Moves all the blocks of \p From to the end of \p To.
inline void spliceBody(Function &To, Function &From) {
#if LLVM_VERSION_MAJOR >= 16
  To.splice(To.end(), &From);
#else
  To.getBasicBlockList().splice(To.end(), From.getBasicBlockList());
#endif
}

/// The address of thread-local \p GV in this thread: a call of
/// llvm.threadlocal.address named \p Name since LLVM 16, the global itself
/// before.
inline Value *createThreadLocalAddress(IRBuilder<> &IRB, GlobalVariable *GV,
                                       const Twine &Name) {
#if LLVM_VERSION_MAJOR >= 16
  Value *Address = IRB.CreateThreadLocalAddress(GV);
  Address->setName(Name);
  return Address;
#else
  (void)IRB;
  (void)Name;
  return GV;
#endif
}

/// Inserts before \p IP (the iterator overload is newer than LLVM 14; the
/// older form keeps working until it is removed).
inline void setInsertPoint(IRBuilder<> &IRB, BasicBlock::iterator IP) {
#if LLVM_VERSION_MAJOR >= 19
  IRB.SetInsertPoint(IP);
#else
  IRB.SetInsertPoint(IP->getParent(), IP);
#endif
}

/// The first instruction of \p BB that is not a PHI node. LLVM 19 added
/// the iterator form and LLVM 20 deprecated the pointer one.
inline Instruction *getFirstNonPHI(BasicBlock &BB) {
#if LLVM_VERSION_MAJOR >= 19
  return &*BB.getFirstNonPHIIt();
#else
  return BB.getFirstNonPHI();
#endif
}

/// The plugin's entry record; LLVM 22 added callbacks after the four fields.
inline PassPluginLibraryInfo makePluginInfo(const char *Name,
                                            const char *Version,
                                            void (*Register)(PassBuilder &)) {
  PassPluginLibraryInfo Info{};
  Info.APIVersion = LLVM_PLUGIN_API_VERSION;
  Info.PluginName = Name;
  Info.PluginVersion = Version;
  Info.RegisterPassBuilderCallbacks = Register;
  return Info;
}

/// OptimizerLast callbacks take the LTO phase since LLVM 20.
template <typename CallbackT>
void registerOptimizerLastEPCallback(PassBuilder &PB, CallbackT Callback) {
#if LLVM_VERSION_MAJOR >= 20
  PB.registerOptimizerLastEPCallback(
      [Callback](ModulePassManager &MPM, OptimizationLevel Level,
                 ThinOrFullLTOPhase) { Callback(MPM, Level); });
#else
  PB.registerOptimizerLastEPCallback(Callback);
#endif
}

/// The end of the full LTO pipeline; LLVM 14 has no such extension point,
/// so modules are instrumented before LTO linking only.
template <typename CallbackT>
void registerFullLinkTimeOptimizationLastEPCallback(PassBuilder &PB,
                                                    CallbackT Callback) {
#if LLVM_VERSION_MAJOR >= 15
  PB.registerFullLinkTimeOptimizationLastEPCallback(Callback);
#else
  (void)PB;
  (void)Callback;
#endif
}

} // namespace tmcompat
} // namespace llvm

#endif // TRACEMALLOC_LLVMCOMPAT_H
