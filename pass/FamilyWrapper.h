//===- FamilyWrapper.h - Allocator family definitions -----------*- C++ -*-===//
//
// Allocator family definitions (docs/architecture.md, "Allocator families").
//
// The definition of a family function becomes a wrapper around its original
// body, which moves to an internal function <name>.tm.body (that the
// inliner is free to put back). The wrapper keeps the name, linkage,
// attributes and comdat, so every caller -- direct, through a pointer, in
// another module -- goes through it:
//
//   define ptr @PyMem_RawMalloc(i64 %size) "tracemalloc-family"="malloc" {
//     %tm.trace = call i32 @__tm_family_enter()
//     %r = call ptr @PyMem_RawMalloc.tm.body(i64 %size)
//     call void @__tm_family_alloc(i32 %tm.trace, i32 1, ptr %r, i64 %size,
//                                  ptr null)
//     ret ptr %r
//   }
//
// The wrapper gets no shadow-stack frame, so the runtime starts the
// traceback at the caller's slot (site null); its callers store their call
// site, because calls of family functions count as allocations. This runs
// at the start of the pipeline, before inlining: a wrapper inlined into a
// caller is then found by its __tm_family_* calls, whose null site the
// instrumentation at the end replaces with the site of the call it stood
// for (the wrapper's own artificial debug scope tells it where it was
// inlined).
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_FAMILYWRAPPER_H
#define TRACEMALLOC_FAMILYWRAPPER_H

#include "FamilyConfig.h"
#include "RuntimeABI.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/IRBuilder.h"

namespace llvm {

class DISubprogram;
class Function;
class Module;
class NamedMDNode;

/// Named metadata: the module's family definitions were wrapped; its
/// operands are the artificial debug scopes of the wrappers.
constexpr char FamiliesMDName[] = "tracemalloc.families";

/// Wraps the family definitions of one module.
class FamilyWrapper {
public:
  FamilyWrapper(Module &M, const FamilyConfig &Config);

  /// Whether the module changed.

  bool run();

private:
  bool checkPrototype(const Function &F, const FamilyFn &Fn);
  void wrap(Function &F, const FamilyFn &Fn);
  void emitUntracedPath(IRBuilder<> &IRB, Function &F, Function &Body,
                        ArrayRef<Value *> Args);
  DISubprogram *createWrapperScope(const DISubprogram &SP);
  /// The end of the wrapper: records \p Result (or, on the unwind path,
  /// null) and lowers the reentrancy count.
  void emitEnd(IRBuilder<> &IRB, Function &F, const FamilyFn &Fn, Value *Trace,
               Value *State, Value *Result);
  Value *getSizeArg(IRBuilder<> &IRB, Function &F, unsigned Index) {
    return IRB.CreateZExtOrTrunc(F.getArg(Index), IntPtrTy);
  }
  /// The declaration of \p Hook, which never throws.
  FunctionCallee getHook(tmabi::FamilyHook Hook);

  Module &M;
  LLVMContext &Ctx;
  const FamilyConfig &Config;
  PointerType *PtrTy;
  IntegerType *Int32Ty;
  IntegerType *IntPtrTy;
  NamedMDNode *Scopes = nullptr;
};

} // namespace llvm

#endif // TRACEMALLOC_FAMILYWRAPPER_H
