//===- TraceMalloc.cpp - Allocation calls to the TraceMalloc runtime ------===//
//
// TraceMalloc is Python's tracemalloc for C and C++. This pass plugin
// rewrites every direct call (and invoke) of an allocation function -- the
// malloc family and the C++ operators new and delete -- into a call of the
// matching runtime entry point, which takes the original arguments followed
// by the address of a constant *site record* describing the call:
//
//   %p = call ptr @malloc(i64 16), !dbg !7
// becomes
//   %p = call ptr @__tm_malloc(i64 16, ptr @__tm_site), !dbg !7
//   @__tm_site = private unnamed_addr constant %tm.site { ptr @file,
//                ptr @function, ptr null, i32 <line>, i32 <column>, i32 0,
//                i32 1 }, align 8
//
// The record's address is the site id, so the runtime needs no registration
// at startup. When the call was inlined, its DILocation's inlinedAt chain is
// emitted as linked records (innermost first), so a traceback recovers the
// inlined frames at no run-time cost. The layout of the record and the list
// of entry points are the contract with the runtime: runtime/tm_abi.h.
//
// The pass runs at the end of the optimization pipeline (after inlining,
// so each record describes the final machine-level call) and at the end of
// full LTO; a module is never instrumented twice.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/Comdat.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumRewrittenCalls, "Number of allocation calls redirected");
STATISTIC(NumSiteRecords, "Number of site records emitted");
STATISTIC(NumSiteStrings, "Number of file and function name strings emitted");
STATISTIC(NumCallsWithoutLocation,
          "Number of allocation calls without a debug location");

namespace {

/// Named metadata that marks a module as instrumented. The pass runs both
/// before and after LTO linking; the second run must not rewrite again.
constexpr char InstrumentedMDName[] = "tracemalloc.instrumented";

/// Everything the runtime owns is named so; it must not trace itself.
constexpr char RuntimePrefix[] = "__tm_";

/// The IR name of struct __tm_site (runtime/tm_abi.h).
constexpr char SiteTypeName[] = "tm.site";

/// One allocation function and its runtime replacement.
///
/// Shape is the expected prototype, so that an unrelated function that
/// happens to carry the same name (say a `static int free(int)`) is left
/// alone: its first character is the return kind, the others are the
/// parameter kinds, with 'v' = void, 'p' = pointer, 'z' = size_t (an integer
/// as wide as a pointer), 'i' = int (32-bit integer). std::align_val_t is a
/// size_t and `const std::nothrow_t &` a pointer.
struct AllocFnInfo {
  StringRef Name;
  StringRef RuntimeName;
  StringRef Shape;
};

// The C++ names are the Itanium manglings for x86-64 (size_t = unsigned long).
const AllocFnInfo AllocFns[] = {
    {"malloc", "__tm_malloc", "pz"},
    {"calloc", "__tm_calloc", "pzz"},
    {"realloc", "__tm_realloc", "ppz"},
    {"reallocarray", "__tm_reallocarray", "ppzz"},
    {"free", "__tm_free", "vp"},
    {"aligned_alloc", "__tm_aligned_alloc", "pzz"},
    {"posix_memalign", "__tm_posix_memalign", "ipzz"},
    {"memalign", "__tm_memalign", "pzz"},
    {"valloc", "__tm_valloc", "pz"},
    {"pvalloc", "__tm_pvalloc", "pz"},
    {"strdup", "__tm_strdup", "pp"},
    {"strndup", "__tm_strndup", "ppz"},
    // operator new and new[].
    {"_Znwm", "__tm_new", "pz"},
    {"_Znam", "__tm_new_array", "pz"},
    {"_ZnwmRKSt9nothrow_t", "__tm_new_nothrow", "pzp"},
    {"_ZnamRKSt9nothrow_t", "__tm_new_array_nothrow", "pzp"},
    {"_ZnwmSt11align_val_t", "__tm_new_aligned", "pzz"},
    {"_ZnamSt11align_val_t", "__tm_new_array_aligned", "pzz"},
    {"_ZnwmSt11align_val_tRKSt9nothrow_t", "__tm_new_aligned_nothrow", "pzzp"},
    {"_ZnamSt11align_val_tRKSt9nothrow_t", "__tm_new_array_aligned_nothrow",
     "pzzp"},
    // operator delete and delete[].
    {"_ZdlPv", "__tm_delete", "vp"},
    {"_ZdaPv", "__tm_delete_array", "vp"},
    {"_ZdlPvm", "__tm_delete_sized", "vpz"},
    {"_ZdaPvm", "__tm_delete_array_sized", "vpz"},
    {"_ZdlPvSt11align_val_t", "__tm_delete_aligned", "vpz"},
    {"_ZdaPvSt11align_val_t", "__tm_delete_array_aligned", "vpz"},
    {"_ZdlPvmSt11align_val_t", "__tm_delete_sized_aligned", "vpzz"},
    {"_ZdaPvmSt11align_val_t", "__tm_delete_array_sized_aligned", "vpzz"},
    {"_ZdlPvRKSt9nothrow_t", "__tm_delete_nothrow", "vpp"},
    {"_ZdaPvRKSt9nothrow_t", "__tm_delete_array_nothrow", "vpp"},
    {"_ZdlPvSt11align_val_tRKSt9nothrow_t", "__tm_delete_aligned_nothrow",
     "vpzp"},
    {"_ZdaPvSt11align_val_tRKSt9nothrow_t", "__tm_delete_array_aligned_nothrow",
     "vpzp"},
};

/// The warning for a module without debug information. Clang prints plugin
/// diagnostics as `warning: <message>`; opt prints them the same way.
class DiagnosticInfoTraceMalloc : public DiagnosticInfo {
  const Twine &Msg;

public:
  DiagnosticInfoTraceMalloc(const Twine &Msg, DiagnosticSeverity Severity)
      : DiagnosticInfo(getKindID(), Severity), Msg(Msg) {}

  void print(DiagnosticPrinter &DP) const override { DP << Msg; }

  static int getKindID() {
    static const int KindID = getNextAvailablePluginDiagnosticKind();
    return KindID;
  }
};

static bool hasPrefix(StringRef S, StringRef Prefix) {
  return S.take_front(Prefix.size()) == Prefix;
}

/// Whether \p Ty is of kind \p Kind (see AllocFnInfo::Shape).
static bool typeHasKind(Type *Ty, char Kind, unsigned PointerBits) {
  switch (Kind) {
  case 'v':
    return Ty->isVoidTy();
  case 'p':
    return Ty->isPointerTy();
  case 'z':
    return Ty->isIntegerTy(PointerBits);
  case 'i':
    return Ty->isIntegerTy(32);
  }
  llvm_unreachable("unknown kind in an allocation function shape");
}

/// Whether \p FTy is the prototype \p Shape describes.
static bool hasShape(FunctionType *FTy, StringRef Shape, const DataLayout &DL) {
  if (FTy->isVarArg() || FTy->getNumParams() + 1 != Shape.size())
    return false;
  unsigned PointerBits = DL.getPointerSizeInBits();
  if (!typeHasKind(FTy->getReturnType(), Shape[0], PointerBits))
    return false;
  for (unsigned I = 0, E = FTy->getNumParams(); I != E; ++I)
    if (!typeHasKind(FTy->getParamType(I), Shape[I + 1], PointerBits))
      return false;
  return true;
}

static const AllocFnInfo *lookupAllocFn(StringRef Name) {
  for (const AllocFnInfo &Info : AllocFns)
    if (Info.Name == Name)
      return &Info;
  return nullptr;
}

/// The name of \p F as its source spells it.
static std::string getSourceName(const Function &F) {
  return demangle(GlobalValue::dropLLVMManglingEscape(F.getName()).str());
}

/// Whether the pass must leave the body of \p F alone.
static bool shouldSkipFunction(const Function &F) {
  if (F.isDeclaration())
    return true;
  // The runtime's own code: tracing it would recurse.
  if (hasPrefix(F.getName(), RuntimePrefix))
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

/// Builds and caches, for one module, the site records, their strings and
/// the runtime declarations.
class ModuleTraceMalloc {
public:
  explicit ModuleTraceMalloc(Module &M);

  bool instrumentModule();

  /// The runtime replacement for direct calls of \p Callee, or null when
  /// \p Callee is not an allocation function.
  const AllocFnInfo *getAllocFnInfo(const Function *Callee) const {
    return AllocFnCallees.lookup(Callee);
  }
  FunctionCallee getRuntimeFunction(Function &Callee, const AllocFnInfo &Info);

  /// The site record of a call at \p Loc in \p F, or of a call without a
  /// location when \p Loc is null.
  GlobalVariable *getSite(const DILocation *Loc, Function &F);

private:
  struct SiteRecord {
    GlobalVariable *GV;
    unsigned ChainDepth;
  };

  SiteRecord getSiteForLocation(const DILocation *Loc, Function &F);
  GlobalVariable *getSiteWithoutLocation(Function &F);
  GlobalVariable *createSite(Function &F, StringRef Filename,
                             StringRef Function, Constant *InlinedAt,
                             unsigned Line, unsigned Column,
                             unsigned ChainDepth);
  Constant *getString(StringRef Str);
  void warnNoDebugInfo();

  Module &M;
  LLVMContext &Ctx;
  StructType *SiteTy;
  PointerType *PtrTy;
  IntegerType *Int32Ty;

  DenseMap<const Function *, const AllocFnInfo *> AllocFnCallees;
  // A record lives in the comdat of the function that uses it, so it is kept
  // or discarded with that function: key records by comdat too.
  DenseMap<std::pair<const DILocation *, const Comdat *>, SiteRecord>
      LocationSites;
  DenseMap<const Function *, GlobalVariable *> FunctionSites;
  StringMap<Constant *> Strings;
  bool WarnedNoDebugInfo = false;
};

/// Rewrites the allocation calls of one function. The shadow-stack frame
/// (DESIGN.md section 3) will be maintained here too.
class FunctionInstrumenter {
public:
  FunctionInstrumenter(ModuleTraceMalloc &MTM, Function &F) : MTM(MTM), F(F) {}

  bool run();

private:
  void rewriteAllocCall(CallBase &CB, const AllocFnInfo &Info);

  ModuleTraceMalloc &MTM;
  Function &F;
};

} // namespace

static StructType *getSiteType(LLVMContext &Ctx) {
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *Int32Ty = Type::getInt32Ty(Ctx);
  // {filename, function, inlined_at, lineno, column, flags, chain_depth}
  Type *Fields[] = {PtrTy, PtrTy, PtrTy, Int32Ty, Int32Ty, Int32Ty, Int32Ty};
  // Named types belong to the context, which other modules may share.
  if (StructType *Existing = StructType::getTypeByName(Ctx, SiteTypeName))
    if (!Existing->isOpaque() &&
        Existing->elements() == ArrayRef<Type *>(Fields))
      return Existing;
  return StructType::create(Ctx, Fields, SiteTypeName);
}

ModuleTraceMalloc::ModuleTraceMalloc(Module &M)
    : M(M), Ctx(M.getContext()), SiteTy(getSiteType(Ctx)),
      PtrTy(PointerType::getUnqual(Ctx)), Int32Ty(Type::getInt32Ty(Ctx)) {
  const DataLayout &DL = M.getDataLayout();
  for (const Function &Callee : M.functions()) {
    // A module that defines malloc implements an allocator: calls to it
    // are its internals, not allocations to trace.
    if (!Callee.isDeclaration())
      continue;
    const AllocFnInfo *Info = lookupAllocFn(Callee.getName());
    if (Info && hasShape(Callee.getFunctionType(), Info->Shape, DL))
      AllocFnCallees[&Callee] = Info;
  }
}

FunctionCallee ModuleTraceMalloc::getRuntimeFunction(Function &Callee,
                                                     const AllocFnInfo &Info) {
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

Constant *ModuleTraceMalloc::getString(StringRef Str) {
  Constant *&Slot = Strings[Str];
  if (Slot)
    return Slot;
  Constant *Init = ConstantDataArray::getString(Ctx, Str);
  auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, Init, "__tm_str");
  GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  GV->setAlignment(Align(1));
  ++NumSiteStrings;
  return Slot = GV;
}

GlobalVariable *ModuleTraceMalloc::createSite(Function &F, StringRef Filename,
                                              StringRef Function,
                                              Constant *InlinedAt,
                                              unsigned Line, unsigned Column,
                                              unsigned ChainDepth) {
  Constant *Fields[] = {getString(Filename),
                        getString(Function),
                        InlinedAt,
                        ConstantInt::get(Int32Ty, Line),
                        ConstantInt::get(Int32Ty, Column),
                        ConstantInt::get(Int32Ty, /*flags=*/0),
                        ConstantInt::get(Int32Ty, ChainDepth)};
  auto *GV = new GlobalVariable(
      M, SiteTy, /*isConstant=*/true, GlobalValue::PrivateLinkage,
      ConstantStruct::get(SiteTy, Fields), "__tm_site");
  GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  GV->setAlignment(Align(8));
  // When the linker keeps another module's copy of a linkonce function, it
  // must drop this copy's records with it (as SanitizerCoverage does).
  if (Comdat *C = F.getComdat())
    GV->setComdat(C);
  ++NumSiteRecords;
  return GV;
}

/// \p Filename made absolute with \p Directory (the compilation directory)
/// and normalised: DIFile names are relative to it as often as not.
static std::string getAbsolutePath(StringRef Directory, StringRef Filename) {
  SmallString<256> Path(Filename);
  if (!sys::path::is_absolute(Path)) {
    Path = Directory;
    sys::path::append(Path, Filename);
  }
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return std::string(Path);
}

/// The source-level name of \p SP: for C++ the demangled linkage name, the
/// only spelling with the enclosing scopes and the parameter types. Clang
/// omits linkage names with -gline-tables-only (unless also given
/// -fdebug-info-for-profiling); the plain name is all there is then.
static std::string getSubprogramName(const DISubprogram &SP) {
  if (!SP.getLinkageName().empty())
    return demangle(SP.getLinkageName().str());
  return SP.getName().str();
}

ModuleTraceMalloc::SiteRecord
ModuleTraceMalloc::getSiteForLocation(const DILocation *Loc, Function &F) {
  auto Key = std::make_pair(Loc, static_cast<const Comdat *>(F.getComdat()));
  auto It = LocationSites.find(Key);
  if (It != LocationSites.end())
    return It->second;

  // Innermost first: the record of Loc points at the record of the call
  // that Loc's function was inlined at, shared by every site inlined there.
  Constant *InlinedAt = ConstantPointerNull::get(PtrTy);
  unsigned ChainDepth = 1;
  if (const DILocation *Outer = Loc->getInlinedAt()) {
    SiteRecord OuterSite = getSiteForLocation(Outer, F);
    InlinedAt = OuterSite.GV;
    ChainDepth += OuterSite.ChainDepth;
  }

  std::string Function;
  if (DISubprogram *SP = Loc->getScope()->getSubprogram())
    Function = getSubprogramName(*SP);
  if (Function.empty())
    Function = getSourceName(F);

  SiteRecord Site = {
      createSite(F, getAbsolutePath(Loc->getDirectory(), Loc->getFilename()),
                 Function, InlinedAt, Loc->getLine(), Loc->getColumn(),
                 ChainDepth),
      ChainDepth};
  LocationSites[Key] = Site;
  return Site;
}

void ModuleTraceMalloc::warnNoDebugInfo() {
  if (WarnedNoDebugInfo)
    return;
  WarnedNoDebugInfo = true;
  Ctx.diagnose(DiagnosticInfoTraceMalloc(
      "tracemalloc: " + M.getSourceFileName() +
          " has no debug information: tracebacks of its allocations will have "
          "no line numbers; compile it with -g or -gline-tables-only",
      DS_Warning));
}

GlobalVariable *ModuleTraceMalloc::getSiteWithoutLocation(Function &F) {
  GlobalVariable *&Site = FunctionSites[&F];
  if (Site)
    return Site;

  std::string Filename, Function;
  if (DISubprogram *SP = F.getSubprogram()) {
    // The module has debug information, only this call has no location
    // (e.g. code the compiler made up): name the function, line 0.
    Filename = getAbsolutePath(SP->getDirectory(), SP->getFilename());
    Function = getSubprogramName(*SP);
    if (Function.empty())
      Function = getSourceName(F);
  } else {
    warnNoDebugInfo();
    SmallString<256> Path(M.getSourceFileName());
    // The compiler runs in the directory the file name is relative to.
    sys::fs::make_absolute(Path);
    sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Filename = std::string(Path);
    Function = getSourceName(F);
  }
  Site = createSite(F, Filename, Function, ConstantPointerNull::get(PtrTy),
                    /*Line=*/0, /*Column=*/0, /*ChainDepth=*/1);
  return Site;
}

GlobalVariable *ModuleTraceMalloc::getSite(const DILocation *Loc, Function &F) {
  if (Loc)
    return getSiteForLocation(Loc, F).GV;
  ++NumCallsWithoutLocation;
  return getSiteWithoutLocation(F);
}

bool ModuleTraceMalloc::instrumentModule() {
  if (M.getNamedMetadata(InstrumentedMDName)) {
    LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getModuleIdentifier()
                      << " is already instrumented\n");
    return false;
  }
  // Mark the module even when there is nothing to rewrite: the mark says
  // the module went through the pass, not that it allocates.
  M.getOrInsertNamedMetadata(InstrumentedMDName);

  if (AllocFnCallees.empty())
    return false;
  bool Changed = false;
  for (Function &F : M) {
    if (shouldSkipFunction(F))
      continue;
    Changed |= FunctionInstrumenter(*this, F).run();
  }
  return Changed;
}

bool FunctionInstrumenter::run() {
  // Collect first: rewriting erases instructions.
  SmallVector<std::pair<CallBase *, const AllocFnInfo *>, 8> AllocCalls;
  for (Instruction &I : instructions(F)) {
    // callbr only ever calls inline asm.
    if (!isa<CallInst>(I) && !isa<InvokeInst>(I))
      continue;
    auto *CB = cast<CallBase>(&I);
    // getCalledFunction() is null for indirect calls and for calls whose
    // type does not match the callee's (a K&R call of `malloc()`).
    if (const AllocFnInfo *Info = MTM.getAllocFnInfo(CB->getCalledFunction()))
      AllocCalls.push_back({CB, Info});
  }
  for (auto &[CB, Info] : AllocCalls)
    rewriteAllocCall(*CB, *Info);
  return !AllocCalls.empty();
}

void FunctionInstrumenter::rewriteAllocCall(CallBase &CB,
                                            const AllocFnInfo &Info) {
  LLVMContext &Ctx = F.getContext();
  FunctionCallee RuntimeFn =
      MTM.getRuntimeFunction(*CB.getCalledFunction(), Info);
  GlobalVariable *Site = MTM.getSite(CB.getDebugLoc().get(), F);
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

namespace {

struct TraceMallocPass : PassInfoMixin<TraceMallocPass> {
  // PassInfoMixin would name it after the type: "(anonymous namespace)::...".
  static StringRef name() { return "TraceMallocPass"; }
  // What -print-pipeline-passes shows, so that its output parses again.
  void printPipeline(raw_ostream &OS, function_ref<StringRef(StringRef)>) {
    OS << "tracemalloc";
  }

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    if (!ModuleTraceMalloc(M).instrumentModule())
      return PreservedAnalyses::all();
    return PreservedAnalyses::none();
  }
  // Instrumentation must run at -O0 and in optnone functions too.
  static bool isRequired() { return true; }
};

} // namespace

static void registerPasses(PassBuilder &PB) {
  // Last in the per-module pipeline, after inlining, so each record names
  // the final call and its inlined frames. Clang's -O0 pipeline calls these
  // callbacks as well.
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(TraceMallocPass());
      });
  // After cross-module inlining; a no-op on modules instrumented before.
  PB.registerFullLinkTimeOptimizationLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(TraceMallocPass());
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name != "tracemalloc")
          return false;
        MPM.addPass(TraceMallocPass());
        return true;
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "TraceMalloc", LLVM_VERSION_STRING,
          registerPasses};
}
