//===- AllocationAnalysis.cpp - Which calls may allocate ------------------===//
//
// docs/architecture.md, "Tracebacks without unwinding": a function that makes
// calls that may reach an allocation gets a shadow-stack frame, and stores its
// call site before each such call; code that cannot reach an allocation (a
// recursive fib, a loop of arithmetic) pays nothing.
//
//===----------------------------------------------------------------------===//

#include "AllocationAnalysis.h"
#include "FamilyWrapper.h"
#include "LLVMCompat.h"
#include "TraceMallocUtils.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumMayAllocateFunctions,
          "Number of defined functions that may reach an allocation");

AllocationFunctions::AllocationFunctions(Module &M,
                                         const FamilyConfig *Config) {
  const DataLayout &DL = M.getDataLayout();
  for (const Function &Callee : M.functions()) {
    // Family wrappers say what they are; the declarations of family
    // functions are looked up in the configuration.
    if (Callee.hasFnAttribute(FamilyAttr)) {
      if (std::optional<FamilyKind> Kind = parseFamilyKind(
              Callee.getFnAttribute(FamilyAttr).getValueAsString()))
        FamilyCallees[&Callee] = *Kind;
      continue;
    }
    if (Callee.isDeclaration() && Config)
      if (const FamilyFn *Fn = Config->getFamily(Callee.getName())) {
        FamilyCallees[&Callee] = Fn->Kind;
        continue;
      }
    // A module that defines malloc implements an allocator: calls to it
    // are its internals, not allocations to trace.
    if (!Callee.isDeclaration())
      continue;
    const tmabi::AllocFnInfo *Info = tmabi::lookupAllocFn(Callee.getName());
    if (Info && tmabi::hasShape(Callee.getFunctionType(), Info->Shape, DL))
      AllocFnCallees[&Callee] = Info;
  }
  if (NamedMDNode *Scopes = M.getNamedMetadata(FamiliesMDName))
    for (const MDNode *Scope : Scopes->operands())
      if (const auto *SP = dyn_cast<DISubprogram>(Scope))
        FamilyScopes.insert(SP);
}

/// C library functions that never allocate nor call back into user code.
/// Clang only infers memory attributes for them when optimizing, so this
/// list is what keeps their callers frame-free at -O0. A function that only
/// may allocate in corner cases (strtod on huge inputs, the locale-dependent
/// ones, stdio) is not listed: a missing name costs a store, a wrong one a
/// wrong traceback.
static bool isNonAllocatingLibFunction(StringRef Name) {
  static const StringSet<> Names = {
      // <string.h>, <strings.h>, <wchar.h> and their _FORTIFY_SOURCE forms.
      "bcmp", "bcopy", "bzero", "explicit_bzero", "memchr", "memcmp", "memcpy",
      "memmem", "memmove", "mempcpy", "memrchr", "memset", "rawmemchr",
      "stpcpy", "stpncpy", "strcasecmp", "strcat", "strchr", "strchrnul",
      "strcmp", "strcpy", "strcspn", "strlcat", "strlcpy", "strlen",
      "strncasecmp", "strncat", "strncmp", "strncpy", "strnlen", "strpbrk",
      "strrchr", "strspn", "strstr", "wcschr", "wcscmp", "wcscpy", "wcslen",
      "wcsncmp", "wmemchr", "wmemcmp", "wmemcpy", "wmemmove", "wmemset",
      "__memcpy_chk", "__memmove_chk", "__mempcpy_chk", "__memset_chk",
      "__stpcpy_chk", "__strcat_chk", "__strcpy_chk", "__strncat_chk",
      "__strncpy_chk",
      // <ctype.h>; glibc's macros call the __ctype_*_loc functions.
      "isalnum", "isalpha", "isascii", "isblank", "iscntrl", "isdigit",
      "isgraph", "islower", "isprint", "ispunct", "isspace", "isupper",
      "isxdigit", "tolower", "toupper", "__ctype_b_loc", "__ctype_tolower_loc",
      "__ctype_toupper_loc",
      // <stdlib.h>, <errno.h>.
      "abs", "labs", "llabs", "div", "ldiv", "lldiv", "atoi", "atol", "atoll",
      "strtol", "strtoll", "strtoul", "strtoull", "rand", "rand_r", "srand",
      "abort", "_exit", "_Exit", "__errno_location",
      // <math.h>.
      "acos", "acosf", "asin", "asinf", "atan", "atan2", "atan2f", "atanf",
      "cbrt", "cbrtf", "ceil", "ceilf", "copysign", "copysignf", "cos", "cosf",
      "cosh", "coshf", "exp", "exp2", "exp2f", "expf", "expm1", "expm1f",
      "fabs", "fabsf", "floor", "floorf", "fma", "fmaf", "fmax", "fmaxf",
      "fmin", "fminf", "fmod", "fmodf", "hypot", "hypotf", "ldexp", "ldexpf",
      "log", "log10", "log10f", "log1p", "log1pf", "log2", "log2f", "logf",
      "lrint", "lround", "nearbyint", "pow", "powf", "rint", "rintf", "round",
      "roundf", "sin", "sinf", "sinh", "sinhf", "sqrt", "sqrtf", "sqrtl", "tan",
      "tanf", "tanh", "tanhf", "trunc", "truncf",
      // <setjmp.h>: the returns_twice functions are found by attribute too.
      "setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp", "longjmp", "_longjmp",
      "siglongjmp", "__longjmp_chk",
      // Threads and time: locks and clocks.
      "pthread_equal", "pthread_mutex_lock", "pthread_mutex_trylock",
      "pthread_mutex_unlock", "pthread_self", "pthread_spin_lock",
      "pthread_spin_trylock", "pthread_spin_unlock", "clock_gettime", "getpid",
      "gettimeofday", "time",
      // The C++ ABI: entering a catch block allocates nothing.
      "__cxa_begin_catch", "__cxa_get_exception_ptr", "__stack_chk_fail"};
  return Names.contains(Name);
}

/// Intrinsics that stand for a call of arbitrary code: the rest never
/// allocate (a memcpy intrinsic may become a call of memcpy, which does not).
static bool intrinsicCallsOut(const Function &F) {
  switch (F.getIntrinsicID()) {
  case Intrinsic::experimental_gc_statepoint:
    return true;
  default:
    // Patchpoints call their target; the Objective-C ARC intrinsics become
    // calls of the ObjC runtime.
    return tmcompat::isPatchpointIntrinsic(F.getIntrinsicID()) ||
           tmcompat::startsWith(F.getName(), "llvm.objc.");
  }
}

/// A defined function whose body the analysis may trust: the linker keeps
/// this body or one with the same meaning (ODR), never an unrelated one.
static bool hasAnalyzableBody(const Function &F) {
  return !F.isDeclaration() && !F.isInterposable() &&
         // A naked function is inline asm, which may call anything.
         !F.hasFnAttribute(Attribute::Naked);
}

AllocationAnalysis::AllocationAnalysis(Module &M,
                                       const AllocationFunctions &AllocFns)
    : AllocFns(AllocFns) {
  // Callers of each analyzable function, and the functions that may
  // allocate by themselves.
  DenseMap<const Function *, SmallVector<const Function *, 4>> Callers;
  SmallVector<const Function *, 32> Worklist;
  for (const Function &F : M) {
    // Calls of family functions are classified by kind, whatever they do.
    if (!hasAnalyzableBody(F) || tmabi::isRuntimeName(F.getName()) ||
        isFamilyFunction(F))
      continue;
    bool Allocates = false;
    for (const Instruction &I : instructions(F)) {
      const auto *CB = dyn_cast<CallBase>(&I);
      if (!CB)
        continue;
      auto [R, Callee] = classify(*CB);
      if (R == Reach::Always)
        Allocates = true;
      else if (R == Reach::Callee && Callee != &F)
        Callers[Callee].push_back(&F);
    }
    if (Allocates && MayAllocate.insert(&F).second)
      Worklist.push_back(&F);
  }
  while (!Worklist.empty()) {
    const Function *Callee = Worklist.pop_back_val();
    auto It = Callers.find(Callee);
    if (It == Callers.end())
      continue;
    for (const Function *Caller : It->second)
      if (MayAllocate.insert(Caller).second)
        Worklist.push_back(Caller);
  }
  NumMayAllocateFunctions += MayAllocate.size();
}

bool AllocationAnalysis::declarationMayAllocate(const Function &F) const {
  // setjmp and friends return (twice) without calling user code.
  if (F.hasFnAttribute(Attribute::ReturnsTwice))
    return false;
  // Allocating writes the allocator's state: a function that only reads
  // memory or only touches its arguments' cannot allocate.
  if (F.doesNotAccessMemory() || F.onlyReadsMemory() ||
      F.onlyAccessesArgMemory())
    return false;
  return !isNonAllocatingLibFunction(F.getName());
}

std::pair<AllocationAnalysis::Reach, const Function *>
AllocationAnalysis::classify(const CallBase &CB) const {
  if (CB.isInlineAsm())
    return {Reach::Never, nullptr};
  const auto *Callee =
      dyn_cast<Function>(CB.getCalledOperand()->stripPointerCasts());
  if (Callee) {
    if (Callee->isIntrinsic())
      return {intrinsicCallsOut(*Callee) ? Reach::Always : Reach::Never,
              nullptr};
    // The runtime's entry points are told their site explicitly.
    if (tmabi::isRuntimeName(Callee->getName()))
      return {Reach::Never, nullptr};
    // A family function records with its caller's site, except a free.
    if (std::optional<FamilyKind> Kind = AllocFns.getFamilyKind(Callee))
      return {*Kind == FamilyKind::Free ? Reach::Never : Reach::Always,
              nullptr};
    // Matched like the rewrite matches them (prototype included).
    if (const tmabi::AllocFnInfo *Info =
            AllocFns.getAllocFnInfo(CB.getCalledFunction()))
      return {Info->Deallocates ? Reach::Never : Reach::Always, nullptr};
    if (hasAnalyzableBody(*Callee))
      return {Reach::Callee, Callee};
    if (Callee->hasFnAttribute(Attribute::Naked))
      return {Reach::Always, nullptr};
  }
  // What the call site says holds whatever is called.
  if (CB.hasFnAttr(Attribute::ReturnsTwice) || CB.doesNotAccessMemory() ||
      CB.onlyReadsMemory() || CB.onlyAccessesArgMemory())
    return {Reach::Never, nullptr};
  if (!Callee)
    return {Reach::Always, nullptr};
  return {declarationMayAllocate(*Callee) ? Reach::Always : Reach::Never,
          nullptr};
}

bool AllocationAnalysis::mayAllocate(const CallBase &CB) const {
  auto [R, Callee] = classify(CB);
  if (R == Reach::Callee)
    return MayAllocate.contains(Callee);
  return R == Reach::Always;
}

CallRole AllocationAnalysis::getCallRole(const CallBase &CB) const {
  // getCalledFunction() is null for indirect calls and for calls whose
  // type does not match the callee's (a K&R call of `malloc()`).
  const Function *Callee = CB.getCalledFunction();
  if (Callee && tmabi::isFamilyRecordFunction(Callee->getName()))
    return CallRole::FamilyRecord;
  // The body of a family function inlined here: what it allocates is not
  // recorded, so its calls need neither rewriting nor site stores.
  if (AllocFns.isInlinedFromFamily(CB.getDebugLoc().get()))
    return CallRole::InlinedFromFamily;
  // Its site is passed explicitly.
  if (AllocFns.getAllocFnInfo(Callee))
    return CallRole::Allocation;
  // Nothing runs in the frame after a musttail call, so its site would
  // never be read: the frame is popped before it instead.
  if (const auto *CI = dyn_cast<CallInst>(&CB); CI && CI->isMustTailCall())
    return CallRole::MustTail;
  return mayAllocate(CB) ? CallRole::MayAllocate : CallRole::NoAllocation;
}

bool AllocationAnalysis::mayAllocate(const Function &F) const {
  if (F.isIntrinsic())
    return intrinsicCallsOut(F);
  if (tmabi::isRuntimeName(F.getName()))
    return false;
  if (std::optional<FamilyKind> Kind = AllocFns.getFamilyKind(&F))
    return *Kind != FamilyKind::Free;
  if (hasAnalyzableBody(F))
    return MayAllocate.contains(&F);
  return F.hasFnAttribute(Attribute::Naked) || declarationMayAllocate(F);
}
