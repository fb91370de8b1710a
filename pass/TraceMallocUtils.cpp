//===- TraceMallocUtils.cpp - Helpers every part of the pass uses ---------===//

#include "TraceMallocUtils.h"
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
