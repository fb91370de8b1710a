//===- TraceMallocUtils.cpp - Helpers every part of the pass uses ---------===//

#include "TraceMallocUtils.h"
#include "LLVMCompat.h"
#include "RuntimeABI.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Function.h"

using namespace llvm;

std::string llvm::getSourceName(StringRef Name) {
  return demangle(GlobalValue::dropLLVMManglingEscape(Name).str());
}

bool llvm::shouldSkipFunction(const Function &F) {
  if (F.isDeclaration())
    return true;
  // The runtime's own code: tracing it would recurse.
  if (tmabi::isRuntimeName(F.getName()))
    return true;
  // A naked function is only inline asm: nothing to rewrite, and no call we
  // insert could be valid there.
  if (F.hasFnAttribute(Attribute::Naked))
    return true;
  // Its instrumented copy is the one the other module emits.
  if (F.hasAvailableExternallyLinkage())
    return true;
  return F.hasFnAttribute(Attribute::DisableSanitizerInstrumentation);
}

bool llvm::isFamilyFunction(const Function &F) {
  return F.hasFnAttribute(FamilyAttr) || F.hasFnAttribute(FamilyBodyAttr);
}

AttributeMask llvm::getShadowStackContradictedAttrs() {
  AttributeMask Mask;
  // memory(...) (what readnone / readonly / writeonly / argmemonly became)
  // would let LLVM drop or move the shadow-stack stores, or the calls
  // themselves; a speculatable call could be executed where the program
  // does not call it. nosync and nofree still hold: the stores are to
  // thread-local memory and free nothing.
  tmcompat::addMemoryEffectAttrs(Mask);
  Mask.addAttribute(Attribute::Speculatable);
  return Mask;
}
