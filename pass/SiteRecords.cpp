//===- SiteRecords.cpp - The constant __tm_site records -------------------===//
//
// A call of malloc becomes a call of the runtime with the address of its
// record:
//
//   %p = call ptr @__tm_malloc(i64 16, ptr @__tm_site), !dbg !7
//   @__tm_site = private unnamed_addr constant %tm.site { ptr @file,
//                ptr @function, ptr null, i32 <line>, i32 <column>, i32 0,
//                i32 1 }, align 8
//
// Records and strings are private, unnamed_addr constants in the comdat of
// the function that uses them; one record per location, function and
// flags.
//
//===----------------------------------------------------------------------===//

#include "SiteRecords.h"
#include "LLVMCompat.h"
#include "RuntimeABI.h"
#include "TraceMallocUtils.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumSiteRecords, "Number of site records emitted");
STATISTIC(NumSiteStrings, "Number of file and function name strings emitted");
STATISTIC(NumCallsWithoutLocation,
          "Number of instrumented calls without a debug location");

SiteRecords::SiteRecords(Module &M)
    : M(M), Ctx(M.getContext()),
      SiteTy(tmabi::getSiteType(Ctx, M.getDataLayout())),
      PtrTy(PointerType::getUnqual(Ctx)) {}

GlobalVariable *SiteRecords::getSite(const DILocation *Loc, Function &F,
                                     unsigned Flags) {
  if (Loc)
    return getSiteForLocation(Loc, F, Flags).GV;
  ++NumCallsWithoutLocation;
  return getSiteWithoutLocation(F, Flags);
}

GlobalVariable *SiteRecords::createSite(Function &F, StringRef Filename,
                                        StringRef Function, Constant *InlinedAt,
                                        unsigned Line, unsigned Column,
                                        unsigned Flags, unsigned ChainDepth) {
  using namespace tmabi;
  static_assert(SiteField::NumFields == 7, "set every field of the record");
  auto GetInt = [&](unsigned Field, unsigned Value) {
    return ConstantInt::get(SiteTy->getElementType(Field), Value);
  };
  Constant *Fields[SiteField::NumFields];
  Fields[SiteField::filename] = getString(Filename);
  Fields[SiteField::function] = getString(Function);
  Fields[SiteField::inlined_at] = InlinedAt;
  Fields[SiteField::lineno] = GetInt(SiteField::lineno, Line);
  Fields[SiteField::column] = GetInt(SiteField::column, Column);
  Fields[SiteField::flags] = GetInt(SiteField::flags, Flags);
  Fields[SiteField::chain_depth] = GetInt(SiteField::chain_depth, ChainDepth);
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

SiteRecords::SiteRecord SiteRecords::getSiteForLocation(const DILocation *Loc,
                                                        Function &F,
                                                        unsigned Flags) {
  auto Key =
      std::make_tuple(Loc, static_cast<const Comdat *>(F.getComdat()), Flags);
  auto It = LocationSites.find(Key);
  if (It != LocationSites.end())
    return It->second;

  // Innermost first: the record of Loc points at the record of the call
  // that Loc's function was inlined at, shared by every site inlined there.
  Constant *InlinedAt = ConstantPointerNull::get(PtrTy);
  unsigned ChainDepth = 1;
  if (const DILocation *Outer = Loc->getInlinedAt()) {
    SiteRecord OuterSite = getSiteForLocation(Outer, F, /*Flags=*/0);
    InlinedAt = OuterSite.GV;
    ChainDepth += OuterSite.ChainDepth;
  }

  std::string Function;
  if (DISubprogram *SP = Loc->getScope()->getSubprogram())
    Function = getSubprogramName(*SP);
  if (Function.empty())
    Function = getSourceName(F.getName());

  SiteRecord Site = {
      createSite(F, getAbsolutePath(Loc->getDirectory(), Loc->getFilename()),
                 Function, InlinedAt, Loc->getLine(), Loc->getColumn(), Flags,
                 ChainDepth),
      ChainDepth};
  LocationSites[Key] = Site;
  return Site;
}

void SiteRecords::warnNoDebugInfo() {
  if (WarnedNoDebugInfo)
    return;
  WarnedNoDebugInfo = true;
  Ctx.diagnose(DiagnosticInfoTraceMalloc(
      "tracemalloc: " + M.getSourceFileName() +
          " has no debug information: tracebacks of its allocations will have "
          "no line numbers; compile it with -g or -gline-tables-only",
      DS_Warning));
}

GlobalVariable *SiteRecords::getSiteWithoutLocation(Function &F,
                                                    unsigned Flags) {
  GlobalVariable *&Site = FunctionSites[{&F, Flags}];
  if (Site)
    return Site;

  std::string Filename, Function;
  if (DISubprogram *SP = F.getSubprogram()) {
    // The module has debug information, only this call has no location
    // (e.g. code the compiler made up): name the function, line 0.
    Filename = getAbsolutePath(SP->getDirectory(), SP->getFilename());
    Function = getSubprogramName(*SP);
    if (Function.empty())
      Function = getSourceName(F.getName());
  } else {
    // Clang makes up __clang_call_terminate without debug information even
    // when the module has it: not worth a warning.
    if (M.debug_compile_units().empty() ||
        !tmcompat::startsWith(F.getName(), "__clang_"))
      warnNoDebugInfo();
    SmallString<256> Path(M.getSourceFileName());
    // The compiler runs in the directory the file name is relative to.
    sys::fs::make_absolute(Path);
    sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Filename = std::string(Path);
    Function = getSourceName(F.getName());
  }
  Site = createSite(F, Filename, Function, ConstantPointerNull::get(PtrTy),
                    /*Line=*/0, /*Column=*/0, Flags, /*ChainDepth=*/1);
  return Site;
}

Constant *SiteRecords::getString(StringRef Str) {
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
