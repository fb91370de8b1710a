//===- FamilyWrapper.cpp - Allocator family definitions -------------------===//
//
// Turns the definition of each function the configuration names into a
// wrapper that calls the runtime's family hooks around the original body
// (see FamilyWrapper.h).
//
//===----------------------------------------------------------------------===//

#include "FamilyWrapper.h"
#include "LLVMCompat.h"
#include "TraceMallocUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumFamilyWrappers,
          "Number of allocator family definitions turned into wrappers");

FamilyWrapper::FamilyWrapper(Module &M, const FamilyConfig &Config)
    : M(M), Ctx(M.getContext()), Config(Config),
      PtrTy(PointerType::getUnqual(Ctx)), Int32Ty(Type::getInt32Ty(Ctx)),
      IntPtrTy(M.getDataLayout().getIntPtrType(Ctx)) {}

FunctionCallee FamilyWrapper::getHook(tmabi::FamilyHook Hook) {
  AttributeList Attrs =
      AttributeList().addFnAttribute(Ctx, Attribute::NoUnwind);
  return M.getOrInsertFunction(
      tmabi::getFamilyHookName(Hook),
      tmabi::getFamilyHookType(Hook, Ctx, M.getDataLayout()), Attrs);
}

bool FamilyWrapper::run() {
  if (M.getNamedMetadata(FamiliesMDName) || Config.isIgnoredSource(M))
    return false;
  Scopes = M.getOrInsertNamedMetadata(FamiliesMDName);
  SmallVector<std::pair<Function *, const FamilyFn *>, 8> Definitions;
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    const FamilyFn *Fn = Config.getFamily(F.getName());
    if (!Fn || isFamilyFunction(F) || Config.isIgnoredFunction(F))
      continue;
    // Nothing a wrapper could call (naked), not this module's code to
    // change (available_externally, the runtime's), asked not to, or a
    // coroutine before splitting.
    if (shouldSkipFunction(F) || F.isPresplitCoroutine()) {
      LLVM_DEBUG(dbgs() << "tracemalloc: not wrapping " << F.getName() << "\n");
      continue;
    }
    if (checkPrototype(F, *Fn))
      Definitions.push_back({&F, Fn});
  }
  for (auto [F, Fn] : Definitions)
    wrap(*F, *Fn);
  return !Definitions.empty();
}

bool FamilyWrapper::checkPrototype(const Function &F, const FamilyFn &Fn) {
  FunctionType *FTy = F.getFunctionType();
  auto Fail = [&](const Twine &Msg) {
    Ctx.diagnose(DiagnosticInfoTraceMalloc(
        "tracemalloc: " + Config.getLocation(Fn) + ": '" + F.getName() +
            "' cannot be a " + getFamilyKindName(Fn.Kind) + " function: " + Msg,
        DS_Error));
    return false;
  };
  auto CheckParam = [&](StringRef Key, unsigned Index, bool Pointer) {
    if (Index >= FTy->getNumParams())
      return Fail(Key + "=" + Twine(Index) + ", but it has " +
                  Twine(FTy->getNumParams()) + " parameters (counting from 0)");
    Type *Ty = FTy->getParamType(Index);
    bool Fits = Pointer ? Ty->isPointerTy() && Ty->getPointerAddressSpace() == 0
                        : Ty->isIntegerTy();
    if (Fits)
      return true;
    std::string TyName;
    raw_string_ostream OS(TyName);
    Ty->print(OS);
    return Fail("parameter " + Twine(Index) + " (" + Key + ") is " + TyName +
                ", not " + (Pointer ? "a pointer" : "an integer"));
  };
  if (FTy->isVarArg())
    return Fail("it takes variable arguments");
  if (Fn.Kind != FamilyKind::Free && !FTy->getReturnType()->isPointerTy())
    return Fail("it does not return a pointer");
  switch (Fn.Kind) {
  case FamilyKind::Malloc:
    return CheckParam("size", Fn.Size, false);
  case FamilyKind::Calloc:
    return CheckParam("nmemb", Fn.Nmemb, false) &&
           CheckParam("size", Fn.Size, false);
  case FamilyKind::Realloc:
    return CheckParam("ptr", Fn.Ptr, true) &&
           CheckParam("size", Fn.Size, false);
  case FamilyKind::Free:
    return CheckParam("ptr", Fn.Ptr, true);
  }
  llvm_unreachable("unknown family kind");
}

DISubprogram *FamilyWrapper::createWrapperScope(const DISubprogram &SP) {
  // Same name, place and type as the original (which the body keeps), but
  // artificial: a debugger shows the body's lines.
  DISubprogram *Scope = tmcompat::getDistinctSubprogram(
      Ctx, SP, SP.getFlags() | DINode::FlagArtificial);
  Scopes->addOperand(Scope);
  return Scope;
}

void FamilyWrapper::emitEnd(IRBuilder<> &IRB, Function &F, const FamilyFn &Fn,
                            Value *Trace, Value *State, Value *Result) {
  Value *Domain = IRB.getInt32(Fn.Domain);
  Value *NoSite = ConstantPointerNull::get(PtrTy);
  switch (Fn.Kind) {
  case FamilyKind::Malloc:
    IRB.CreateCall(
        getHook(tmabi::FamilyHook::__tm_family_alloc),
        {Trace, Domain, Result, getSizeArg(IRB, F, Fn.Size), NoSite});
    return;
  case FamilyKind::Calloc:
    IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_calloc),
                   {Trace, Domain, Result, getSizeArg(IRB, F, Fn.Nmemb),
                    getSizeArg(IRB, F, Fn.Size), NoSite});
    return;
  case FamilyKind::Realloc:
    IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_realloc_end),
                   {Trace, State, F.getArg(Fn.Ptr), getSizeArg(IRB, F, Fn.Size),
                    Result, IRB.getInt32(Fn.ZeroFrees), NoSite});
    return;
  case FamilyKind::Free:
    IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_leave));
    return;
  }
}

/// The call of the body passes the arguments the wrapper was given, with the
/// same attributes (byval, sret, ... must match the callee's).
static void setBodyCallAttributes(CallBase &Call, const Function &F) {
  AttributeList Attrs = F.getAttributes();
  SmallVector<AttributeSet, 8> ParamAttrs;
  for (unsigned I = 0, E = F.arg_size(); I != E; ++I)
    ParamAttrs.push_back(Attrs.getParamAttrs(I));
  Call.setAttributes(AttributeList::get(F.getContext(), AttributeSet(),
                                        Attrs.getRetAttrs(), ParamAttrs));
  Call.setCallingConv(F.getCallingConv());
}

/// Not tracing (__tm_tracing is 0): call the body and return, without the
/// runtime. Leaves \p IRB in the block for the tracing path.
void FamilyWrapper::emitUntracedPath(IRBuilder<> &IRB, Function &F,
                                     Function &Body, ArrayRef<Value *> Args) {
  GlobalVariable *Tracing = M.getGlobalVariable(tmabi::TracingVarName);
  if (!Tracing)
    Tracing = new GlobalVariable(M, Int32Ty, /*isConstant=*/false,
                                 GlobalValue::ExternalLinkage, nullptr,
                                 tmabi::TracingVarName);
  LoadInst *On = IRB.CreateAlignedLoad(Int32Ty, Tracing, Align(4), "tm.on");
  On->setAtomic(AtomicOrdering::Monotonic);
  BasicBlock *Direct = BasicBlock::Create(Ctx, "tm.untraced", &F);
  BasicBlock *Traced = BasicBlock::Create(Ctx, "tm.traced", &F);
  IRB.CreateCondBr(IRB.CreateICmpEQ(On, IRB.getInt32(0), "tm.off"), Direct,
                   Traced);
  IRB.SetInsertPoint(Direct);
  CallInst *Call = IRB.CreateCall(&Body, Args);
  setBodyCallAttributes(*Call, F);
  if (Call->getType()->isVoidTy()) {
    IRB.CreateRetVoid();
  } else {
    Call->setName("tm.direct");
    IRB.CreateRet(Call);
  }
  IRB.SetInsertPoint(Traced);
}

void FamilyWrapper::wrap(Function &F, const FamilyFn &Fn) {
  LLVM_DEBUG(dbgs() << "tracemalloc: wrapping " << getFamilyKindName(Fn.Kind)
                    << " function " << F.getName() << ", domain " << Fn.Domain
                    << "\n");
  ++NumFamilyWrappers;

  // The original body, internal, next to the wrapper.
  Function *Body =
      Function::Create(F.getFunctionType(), GlobalValue::InternalLinkage,
                       F.getAddressSpace(), F.getName() + ".tm.body");
  M.getFunctionList().insertAfter(F.getIterator(), Body);
  Body->copyAttributesFrom(&F);
  Body->setLinkage(GlobalValue::InternalLinkage);
  Body->setVisibility(GlobalValue::DefaultVisibility);
  Body->setDLLStorageClass(GlobalValue::DefaultStorageClass);
  Body->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  // Kept or dropped with the wrapper.
  Body->setComdat(F.getComdat());
  // Prefix and prologue data belong to the symbol, not the code.
  Body->setPrefixData(nullptr);
  Body->setPrologueData(nullptr);
  Body->addFnAttr(FamilyBodyAttr);
  tmcompat::spliceBody(*Body, F);
  for (auto [Arg, BodyArg] : zip(F.args(), Body->args())) {
    BodyArg.setName(Arg.getName());
    Arg.replaceAllUsesWith(&BodyArg);
  }
  DISubprogram *Scope = nullptr;
  if (DISubprogram *SP = F.getSubprogram()) {
    F.setSubprogram(nullptr);
    Body->setSubprogram(SP);
    Scope = createWrapperScope(*SP);
    F.setSubprogram(Scope);
  }

  // The wrapper writes the runtime's state and the shadow stack is read
  // on its behalf: no memory(...) or speculatable.
  F.removeFnAttrs(getShadowStackContradictedAttrs());
  F.addFnAttr(FamilyAttr, getFamilyKindName(Fn.Kind));

  BasicBlock *Entry = BasicBlock::Create(Ctx, "entry", &F);
  IRBuilder<> IRB(Entry);
  if (Scope)
    IRB.SetCurrentDebugLocation(
        DILocation::get(Ctx, Scope->getLine(), 0, Scope));
  Value *Trace = nullptr, *State = nullptr;
  // In the entry block, so that it stays a static alloca.
  if (Fn.Kind == FamilyKind::Realloc) {
    Type *StateTy =
        ArrayType::get(IRB.getInt64Ty(), tmabi::TM_FAMILY_REALLOC_STATE_WORDS);
    State = IRB.CreateAlloca(StateTy, nullptr, "tm.state");
  }
  SmallVector<Value *, 8> Args;
  for (Argument &Arg : F.args())
    Args.push_back(&Arg);
  emitUntracedPath(IRB, F, *Body, Args);
  if (Fn.Kind == FamilyKind::Free) {
    // Untracks (before the block can be reused) and raises the count.
    IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_free),
                   {IRB.getInt32(Fn.Domain), F.getArg(Fn.Ptr)});
  } else {
    Trace = IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_enter), {},
                           "tm.trace");
    if (Fn.Kind == FamilyKind::Realloc)
      IRB.CreateCall(getHook(tmabi::FamilyHook::__tm_family_realloc_begin),
                     {Trace, IRB.getInt32(Fn.Domain), State, F.getArg(Fn.Ptr)});
  }

  // The call of the body: if it may throw, a cleanup lowers the count on
  // the way out (a landing pad needs a personality: the function's own, or
  // the C++ one when the module has it).
  Constant *Personality = F.hasPersonalityFn()
                              ? F.getPersonalityFn()
                              : M.getFunction("__gxx_personality_v0");
  bool Cleanup = !F.doesNotThrow() && Personality &&
                 !isScopedEHPersonality(classifyEHPersonality(Personality));
  CallBase *Call;
  if (Cleanup) {
    BasicBlock *Cont = BasicBlock::Create(Ctx, "tm.cont", &F);
    BasicBlock *Unwind = BasicBlock::Create(Ctx, "tm.cleanup", &F);
    Call = IRB.CreateInvoke(Body, Cont, Unwind, Args);
    IRB.SetInsertPoint(Unwind);
    LandingPadInst *LP =
        IRB.CreateLandingPad(StructType::get(PtrTy, Int32Ty), 0, "tm.lpad");
    LP->setCleanup(true);
    emitEnd(IRB, F, Fn, Trace, State, ConstantPointerNull::get(PtrTy));
    IRB.CreateResume(LP);
    IRB.SetInsertPoint(Cont);
    F.setPersonalityFn(Personality);
  } else {
    Call = IRB.CreateCall(Body, Args);
    F.setPersonalityFn(nullptr);
  }
  setBodyCallAttributes(*Call, F);
  Value *Result = nullptr;
  if (!Call->getType()->isVoidTy()) {
    Call->setName("tm.result");
    Result = Call;
  }
  emitEnd(IRB, F, Fn, Trace, State, Result);
  if (Result)
    IRB.CreateRet(Result);
  else
    IRB.CreateRetVoid();
}
