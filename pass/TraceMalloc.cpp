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
// The pass also maintains the per-thread *shadow stack* of call sites
// (DESIGN.md section 3), so a traceback has its callers' frames without
// unwinding. A function that makes calls that may reach an allocation gets
// a frame:
//
//   entry:  %tm.depth = load depth; store depth = %tm.depth + 1
//           %tm.slot = &slots[umin(%tm.depth, CAP - 1)]
//   before each call that may allocate:  store ptr @__tm_site.N, %tm.slot
//   at every ret (before a musttail call):  store depth = %tm.depth
//   after a returns_twice call, at every EH pad:  store depth = %tm.depth + 1
//
// Which calls may allocate is computed over the module's call graph, so that
// code that cannot reach an allocation (a recursive fib, a loop of
// arithmetic) pays nothing.
//
// The pass runs at the end of the optimization pipeline (after inlining,
// so each record describes the final machine-level call) and at the end of
// full LTO; a module is never instrumented twice.
//
// Allocator families beyond libc (CPython's PyMem_*/PyObject_*, a project's
// xmalloc) come from a configuration file (TRACEMALLOC_CONFIG or
// -tracemalloc-config), with an ignore list: see "The configuration file"
// below. A family function whose definition is in the module becomes a
// wrapper that records around its original body; this happens at the start
// of the pipeline, before inlining (see "Allocator family definitions").
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/BlockFrequencyInfo.h"
#include "llvm/Analysis/BranchProbabilityInfo.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/PostDominators.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/Comdat.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

#include "LLVMCompat.h"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

STATISTIC(NumRewrittenCalls, "Number of allocation calls redirected");
STATISTIC(NumSiteRecords, "Number of site records emitted");
STATISTIC(NumSiteStrings, "Number of file and function name strings emitted");
STATISTIC(NumCallsWithoutLocation,
          "Number of instrumented calls without a debug location");
STATISTIC(NumMayAllocateFunctions,
          "Number of defined functions that may reach an allocation");
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
STATISTIC(NumStrippedFunctions,
          "Number of functions whose memory attributes were dropped");
STATISTIC(NumFamilyWrappers,
          "Number of allocator family definitions turned into wrappers");
STATISTIC(NumFamilySites,
          "Number of inlined family wrappers given their caller's site");

static cl::opt<bool> ElideTailFramesOpt(
    "tracemalloc-elide-tail-frames",
    cl::desc("Give no shadow-stack frame to calls in tail position, so that "
             "they stay tail calls; tracebacks then skip the functions that "
             "made them, as unwinders do (default: the "
             "TRACEMALLOC_ELIDE_TAIL_FRAMES environment variable, else off)"),
    cl::init(false));

static cl::opt<std::string> ConfigFile(
    "tracemalloc-config",
    cl::desc("TraceMalloc configuration: allocator families and ignore list "
             "(default: the TRACEMALLOC_CONFIG environment variable)"),
    cl::value_desc("file"));

namespace {

/// Named metadata that marks a module as instrumented. The pass runs both
/// before and after LTO linking; the second run must not rewrite again.
constexpr char InstrumentedMDName[] = "tracemalloc.instrumented";

/// Everything the runtime owns is named so; it must not trace itself.
constexpr char RuntimePrefix[] = "__tm_";

/// The IR name of struct __tm_site (runtime/tm_abi.h).
constexpr char SiteTypeName[] = "tm.site";

/// The per-thread shadow stack: struct __tm_shadow_stack and the TLS
/// variable __tm_shadow of runtime/tm_abi.h.
constexpr char ShadowTypeName[] = "tm.shadow_stack";
constexpr char ShadowVarName[] = "__tm_shadow";
/// TM_SHADOW_CAP, and the field numbers of {depth, reserved, slots}.
constexpr unsigned ShadowCapacity = 4096;
constexpr unsigned ShadowSlotsField = 2;

/// TM_SITE_OWN_FRAME: the allocating function has a frame of its own, so
/// the top slot is its (stale) one and the runtime starts one slot lower.
constexpr unsigned SiteOwnFrame = 0x1;

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

/// \p Name as its source spells it (demangled when C++).
static std::string getSourceNameOf(StringRef Name) {
  return demangle(GlobalValue::dropLLVMManglingEscape(Name).str());
}

//===----------------------------------------------------------------------===//
// The configuration file: allocator families and the ignore list.
//
// Named by -tracemalloc-config=FILE, else by the TRACEMALLOC_CONFIG
// environment variable. One entry per line; blank lines and lines starting
// with `#` are ignored; words are separated by blanks:
//
//   malloc  NAME size=I domain=D
//   calloc  NAME nmemb=I size=J domain=D
//   realloc NAME ptr=I size=J domain=D [zero_frees=0|1]
//   free    NAME ptr=I domain=D
//   fun:GLOB
//   src:GLOB
//
// A family line names a function (its symbol: the mangled name for C++), its
// kind, which parameters (counting from 0) are the size, element count or
// pointer, and the trace domain (any
// unsigned 32-bit number; 0 is the C library's, which a project's xmalloc
// may share). zero_frees=1 says the function frees the block and returns
// NULL when asked for size 0 (glibc's realloc does; CPython's PyMem_Realloc
// does not): otherwise a NULL result is a failure and the old block keeps
// its trace. Keys are required except zero_frees; each function is named
// once.
//
// fun: and src: lines are the sanitizers' special-case list syntax (without
// sections or categories): functions whose (mangled or demangled) name and
// modules whose source file name (as given to the compiler, or absolute)
// matches GLOB are neither instrumented nor rewritten, and their family
// definitions are not wrapped. Any error is reported as FILE:LINE and fails
// the compilation.
//===----------------------------------------------------------------------===//

/// What the wrapper of a family function records.
enum class FamilyKind { Malloc, Calloc, Realloc, Free };

static StringRef getFamilyKindName(FamilyKind Kind) {
  switch (Kind) {
  case FamilyKind::Malloc:
    return "malloc";
  case FamilyKind::Calloc:
    return "calloc";
  case FamilyKind::Realloc:
    return "realloc";
  case FamilyKind::Free:
    return "free";
  }
  llvm_unreachable("unknown family kind");
}

static std::optional<FamilyKind> parseFamilyKind(StringRef Name) {
  return StringSwitch<std::optional<FamilyKind>>(Name)
      .Case("malloc", FamilyKind::Malloc)
      .Case("calloc", FamilyKind::Calloc)
      .Case("realloc", FamilyKind::Realloc)
      .Case("free", FamilyKind::Free)
      .Default(std::nullopt);
}

/// One function of an allocator family.
struct FamilyFn {
  FamilyKind Kind = FamilyKind::Malloc;
  unsigned Line = 0; // of its entry, for diagnostics
  unsigned Domain = 0;
  // Parameter indices.
  unsigned Ptr = 0;
  unsigned Size = 0;
  unsigned Nmemb = 0;
  bool ZeroFrees = false;
};

class TraceMallocConfig {
public:
  static Expected<std::unique_ptr<TraceMallocConfig>>
  parse(std::unique_ptr<MemoryBuffer> Buffer, StringRef Path);

  const FamilyFn *getFamily(StringRef Name) const {
    auto It = Families.find(Name);
    return It == Families.end() ? nullptr : &It->second;
  }
  bool isIgnoredFunction(const Function &F) const;
  bool isIgnoredSource(const Module &M) const;
  /// FILE:LINE of \p Fn's entry.
  std::string getLocation(const FamilyFn &Fn) const {
    return (Path + ":" + Twine(Fn.Line)).str();
  }

private:
  static bool matchesAny(ArrayRef<GlobPattern> Patterns, StringRef S) {
    for (const GlobPattern &P : Patterns)
      if (P.match(S))
        return true;
    return false;
  }

  std::string Path;
  // The patterns refer to the text they were made from.
  std::unique_ptr<MemoryBuffer> Buffer;
  StringMap<FamilyFn> Families;
  std::vector<GlobPattern> IgnoredFunctions;
  std::vector<GlobPattern> IgnoredSources;
};

Expected<std::unique_ptr<TraceMallocConfig>>
TraceMallocConfig::parse(std::unique_ptr<MemoryBuffer> Buffer, StringRef Path) {
  auto Config = std::make_unique<TraceMallocConfig>();
  Config->Path = Path.str();
  Config->Buffer = std::move(Buffer);
  SmallVector<StringRef, 0> Lines;
  Config->Buffer->getBuffer().split(Lines, '\n');
  for (unsigned I = 0, E = Lines.size(); I != E; ++I) {
    const unsigned LineNo = I + 1;
    auto Fail = [&](const Twine &Msg) -> Error {
      return createStringError(inconvertibleErrorCode(),
                               Path + ":" + Twine(LineNo) + ": " + Msg);
    };
    StringRef Line = Lines[I].trim();
    if (Line.empty() || hasPrefix(Line, "#"))
      continue;
    if (hasPrefix(Line, "["))
      return Fail("sections are not supported: every entry applies");

    // fun:GLOB and src:GLOB.
    bool IsFun = hasPrefix(Line, "fun:");
    if (IsFun || hasPrefix(Line, "src:")) {
      StringRef Pattern = Line.drop_front(4).trim();
      if (Pattern.empty())
        return Fail("'" + Line.take_front(4) + "' needs a pattern");
      if (Pattern.contains('='))
        return Fail("categories ('=...') are not supported: '" + Line + "'");
      Expected<GlobPattern> Glob = tmcompat::createGlobPattern(Pattern);
      if (!Glob)
        return Fail("bad pattern '" + Pattern +
                    "': " + toString(Glob.takeError()));
      (IsFun ? Config->IgnoredFunctions : Config->IgnoredSources)
          .push_back(std::move(*Glob));
      continue;
    }

    // KIND NAME KEY=VALUE...
    SmallVector<StringRef, 8> Words;
    for (StringRef Rest = Line; !Rest.empty();) {
      auto [Word, Tail] = getToken(Rest, " \t");
      if (!Word.empty())
        Words.push_back(Word);
      Rest = Tail;
    }
    std::optional<FamilyKind> Kind = parseFamilyKind(Words[0]);
    if (!Kind)
      return Fail("unknown entry '" + Words[0] +
                  "' (expected malloc, calloc, realloc, free, fun: or src:)");
    StringRef KindName = Words[0];
    if (Words.size() < 2 || Words[1].contains('='))
      return Fail("'" + KindName + "' needs a function name");
    StringRef Name = Words[1];
    FamilyFn Fn;
    Fn.Kind = *Kind;
    Fn.Line = LineNo;

    // The keys of each kind; all but zero_frees are required.
    SmallVector<StringRef, 4> Keys;
    switch (*Kind) {
    case FamilyKind::Malloc:
      Keys = {"size", "domain"};
      break;
    case FamilyKind::Calloc:
      Keys = {"nmemb", "size", "domain"};
      break;
    case FamilyKind::Realloc:
      Keys = {"ptr", "size", "domain", "zero_frees"};
      break;
    case FamilyKind::Free:
      Keys = {"ptr", "domain"};
      break;
    }
    StringSet<> Seen;
    for (StringRef Word : ArrayRef<StringRef>(Words).drop_front(2)) {
      auto [Key, Value] = Word.split('=');
      if (!Word.contains('=') || Key.empty())
        return Fail("expected KEY=VALUE, not '" + Word + "'");
      if (!is_contained(Keys, Key)) {
        std::string Expected;
        for (StringRef K : Keys)
          Expected += (Expected.empty() ? "" : ", ") + K.str();
        return Fail("unknown key '" + Key + "' for a " + KindName +
                    " function (expected " + Expected + ")");
      }
      if (!Seen.insert(Key).second)
        return Fail("'" + Key + "' is given twice");
      uint64_t N;
      if (Value.getAsInteger(10, N))
        return Fail("'" + Word + "': the value is not a number");
      if (Key == "domain") {
        if (N > UINT32_MAX)
          return Fail("'" + Word + "': domains are 32-bit numbers");
        Fn.Domain = N;
      } else if (Key == "zero_frees") {
        if (N > 1)
          return Fail("'" + Word + "': zero_frees is 0 or 1");
        Fn.ZeroFrees = N;
      } else {
        if (N > 255)
          return Fail("'" + Word + "': parameter indices are 0 to 255");
        (Key == "ptr" ? Fn.Ptr : Key == "size" ? Fn.Size : Fn.Nmemb) = N;
      }
    }
    for (StringRef Key : Keys)
      if (Key != "zero_frees" && !Seen.contains(Key))
        return Fail("'" + KindName + " " + Name + "' needs " + Key +
                    (Key == "domain" ? "=DOMAIN" : "=INDEX"));
    auto [It, Inserted] = Config->Families.try_emplace(Name, Fn);
    if (!Inserted)
      return Fail("'" + Name + "' is already named on line " +
                  Twine(It->second.Line));
  }
  return std::move(Config);
}

bool TraceMallocConfig::isIgnoredFunction(const Function &F) const {
  if (IgnoredFunctions.empty())
    return false;
  StringRef Name = F.getName();
  if (matchesAny(IgnoredFunctions, Name))
    return true;
  std::string Demangled = getSourceNameOf(Name);
  return Demangled != Name && matchesAny(IgnoredFunctions, Demangled);
}

bool TraceMallocConfig::isIgnoredSource(const Module &M) const {
  if (IgnoredSources.empty())
    return false;
  StringRef Name = M.getSourceFileName();
  if (matchesAny(IgnoredSources, Name))
    return true;
  SmallString<256> Path(Name);
  sys::fs::make_absolute(Path);
  sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  return Path != Name && matchesAny(IgnoredSources, Path);
}

/// The configuration, or why there is none: parsed once per process and
/// file (a compiler runs the pass twice per module, at the start and the
/// end of the pipeline).
struct LoadedConfig {
  std::shared_ptr<const TraceMallocConfig> Config;
  std::string Error;
};

static LoadedConfig loadConfig() {
  std::string Path = ConfigFile;
  if (Path.empty())
    if (const char *Env = std::getenv("TRACEMALLOC_CONFIG"))
      Path = Env;
  if (Path.empty())
    return {};
  static std::mutex Lock;
  static StringMap<LoadedConfig> Cache;
  std::lock_guard<std::mutex> Guard(Lock);
  auto It = Cache.find(Path);
  if (It != Cache.end())
    return It->second;
  LoadedConfig Loaded;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Buffer =
      MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buffer) {
    Loaded.Error = Path + ": cannot read the configuration file: " +
                   Buffer.getError().message();
  } else {
    Expected<std::unique_ptr<TraceMallocConfig>> Config =
        TraceMallocConfig::parse(std::move(*Buffer), Path);
    if (Config)
      Loaded.Config = std::move(*Config);
    else
      Loaded.Error = toString(Config.takeError());
  }
  Cache[Path] = Loaded;
  return Loaded;
}

/// Named metadata that says a configuration error was reported for the
/// module, so that the second run of the pass does not repeat it.
constexpr char ConfigErrorMDName[] = "tracemalloc.config_error";

/// The configuration for \p M, or null when there is none or it is wrong
/// (which is then reported, once per module: the compilation fails).
static std::shared_ptr<const TraceMallocConfig> getConfig(Module &M) {
  LoadedConfig Loaded = loadConfig();
  if (!Loaded.Error.empty() && !M.getNamedMetadata(ConfigErrorMDName)) {
    M.getOrInsertNamedMetadata(ConfigErrorMDName);
    M.getContext().diagnose(
        DiagnosticInfoTraceMalloc("tracemalloc: " + Loaded.Error, DS_Error));
  }
  return Loaded.Config;
}

/// Whether \p M uses opaque pointers, which the pass needs; typed pointers
/// (LLVM 14's default) are reported, once per module when \p Report.
static bool hasOpaquePointers(Module &M, bool Report) {
  if (!tmcompat::usesTypedPointers(M.getContext()))
    return true;
  if (Report && !M.getNamedMetadata(ConfigErrorMDName)) {
    M.getOrInsertNamedMetadata(ConfigErrorMDName);
    M.getContext().diagnose(DiagnosticInfoTraceMalloc(
        "tracemalloc: " + M.getModuleIdentifier() +
            " uses typed pointers: compile it with -mllvm -opaque-pointers "
            "(tmcc does)",
        DS_Error));
  }
  return false;
}

/// The function attribute of a wrapper ("malloc", "calloc", "realloc" or
/// "free") and that of the original body it calls.
constexpr char FamilyAttr[] = "tracemalloc-family";
constexpr char FamilyBodyAttr[] = "tracemalloc-family-body";
/// Named metadata: the module's family definitions were wrapped; its
/// operands are the artificial debug scopes of the wrappers.
constexpr char FamiliesMDName[] = "tracemalloc.families";
/// struct __tm_family_realloc_state: uint64_t opaque[8].
constexpr unsigned ReallocStateWords = 8;

/// The runtime functions whose last argument is a site.
static bool isFamilyRecordFunction(StringRef Name) {
  return Name == "__tm_family_alloc" || Name == "__tm_family_calloc" ||
         Name == "__tm_family_realloc_end";
}

/// Whether \p F is a family wrapper or the body of one: runtime territory,
/// which neither records nor needs a frame (nothing it calls is traced).
static bool isFamilyFunction(const Function &F) {
  return F.hasFnAttribute(FamilyAttr) || F.hasFnAttribute(FamilyBodyAttr);
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

/// Deallocation functions (free, operator delete) untrack a block but never
/// record a traceback, so reaching one needs no call sites on the stack.
static bool isDeallocation(const AllocFnInfo &Info) {
  return Info.Shape.front() == 'v';
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
           hasPrefix(F.getName(), "llvm.objc.");
  }
}

/// The name of \p F as its source spells it.
static std::string getSourceName(const Function &F) {
  return demangle(GlobalValue::dropLLVMManglingEscape(F.getName()).str());
}

/// Whether calls in tail position get no frame (-tracemalloc-elide-tail-frames
/// or TRACEMALLOC_ELIDE_TAIL_FRAMES=1).
static bool elideTailFrames() {
  if (ElideTailFramesOpt.getNumOccurrences())
    return ElideTailFramesOpt;
  const char *Env = std::getenv("TRACEMALLOC_ELIDE_TAIL_FRAMES");
  return Env && StringRef(Env) != "" && StringRef(Env) != "0";
}

/// A call whose result, if any, the function returns at once: with
/// elideTailFrames(), it runs with the caller's depth, as a tail call.
static bool isForwardingCall(const CallBase &CB) {
  const auto *CI = dyn_cast<CallInst>(&CB);
  if (!CI || isa<IntrinsicInst>(CI) || CI->isInlineAsm() ||
      CI->hasFnAttr(Attribute::ReturnsTwice))
    return false;
  if (const Function *Callee = CI->getCalledFunction();
      Callee && hasPrefix(Callee->getName(), RuntimePrefix))
    return false;
  const auto *Ret = dyn_cast_or_null<ReturnInst>(CI->getNextNode());
  return Ret && (!Ret->getReturnValue() || Ret->getReturnValue() == CI);
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

class AllocationAnalysis;

/// Builds and caches, for one module, the site records, their strings and
/// the runtime declarations.
class ModuleTraceMalloc {
public:
  ModuleTraceMalloc(Module &M, const TraceMallocConfig *Config);

  bool instrumentModule();

  /// The runtime replacement for direct calls of \p Callee, or null when
  /// \p Callee is not an allocation function.
  const AllocFnInfo *getAllocFnInfo(const Function *Callee) const {
    return AllocFnCallees.lookup(Callee);
  }
  FunctionCallee getRuntimeFunction(Function &Callee, const AllocFnInfo &Info);

  /// The kind of family function \p Callee is: a wrapper made from its
  /// definition, or a declaration the configuration names (whose definition
  /// elsewhere is wrapped).
  std::optional<FamilyKind> getFamilyKind(const Function *Callee) const {
    auto It = FamilyCallees.find(Callee);
    if (It == FamilyCallees.end())
      return std::nullopt;
    return It->second;
  }
  /// Whether \p SP is the artificial scope of a family wrapper.
  bool isFamilyScope(const DISubprogram *SP) const {
    return FamilyScopes.contains(SP);
  }
  /// Whether code at \p Loc was inlined from a family wrapper (and so runs
  /// with the reentrancy count up: nothing it allocates is recorded).
  bool isInlinedFromFamily(const DILocation *Loc) const {
    if (FamilyScopes.empty())
      return false;
    for (; Loc; Loc = Loc->getInlinedAt())
      if (isFamilyScope(Loc->getScope()->getSubprogram()))
        return true;
    return false;
  }

  /// The site record of a call at \p Loc in \p F, or of a call without a
  /// location when \p Loc is null. \p Flags (TM_SITE_*) only matter to the
  /// innermost record of an allocation call; its inlined_at records have none.
  GlobalVariable *getSite(const DILocation *Loc, Function &F, unsigned Flags);

  /// The declaration of the runtime's thread-local __tm_shadow.
  GlobalVariable *getShadowStack();
  StructType *getShadowStackType() const { return ShadowTy; }

private:
  struct SiteRecord {
    GlobalVariable *GV;
    unsigned ChainDepth;
  };

  SiteRecord getSiteForLocation(const DILocation *Loc, Function &F,
                                unsigned Flags);
  GlobalVariable *getSiteWithoutLocation(Function &F, unsigned Flags);
  GlobalVariable *createSite(Function &F, StringRef Filename,
                             StringRef Function, Constant *InlinedAt,
                             unsigned Line, unsigned Column, unsigned Flags,
                             unsigned ChainDepth);
  Constant *getString(StringRef Str);
  void warnNoDebugInfo();
  void dropMemoryEffects(const AllocationAnalysis &AA,
                         ArrayRef<CallBase *> SiteCalls);

  Module &M;
  LLVMContext &Ctx;
  StructType *SiteTy;
  StructType *ShadowTy;
  PointerType *PtrTy;
  IntegerType *Int32Ty;
  GlobalVariable *ShadowStack = nullptr;

  const TraceMallocConfig *Config;
  DenseMap<const Function *, const AllocFnInfo *> AllocFnCallees;
  DenseMap<const Function *, FamilyKind> FamilyCallees;
  SmallPtrSet<const DISubprogram *, 8> FamilyScopes;
  // A record lives in the comdat of the function that uses it, so it is kept
  // or discarded with that function: key records by comdat too. The same
  // location with other flags is another record.
  DenseMap<std::tuple<const DILocation *, const Comdat *, unsigned>, SiteRecord>
      LocationSites;
  DenseMap<std::pair<const Function *, unsigned>, GlobalVariable *>
      FunctionSites;
  StringMap<Constant *> Strings;
  bool WarnedNoDebugInfo = false;
};

/// Which calls may reach an allocation that records a traceback, and so
/// need the caller's call site on the shadow stack (DESIGN.md section 3).
///
/// A defined function may allocate when it makes a call that may: an
/// indirect call, a call of a declaration not known to be allocation-free,
/// a call of an allocation function, or a call of a defined function that
/// may allocate. The last rule is a reachability problem over the call
/// graph; it is solved by propagating from the functions that allocate
/// directly to their callers, which reaches the same fixpoint as a
/// bottom-up walk over the SCCs (recursion adds nothing by itself) in
/// linear time.
class AllocationAnalysis {
public:
  AllocationAnalysis(Module &M, const ModuleTraceMalloc &MTM);

  /// Whether the call \p CB may reach an allocation.
  bool mayAllocate(const CallBase &CB) const;
  /// Whether calling \p F may reach an allocation.
  bool mayAllocate(const Function &F) const;

private:
  enum class Reach {
    Never,  // cannot reach an allocation
    Always, // may reach one, whatever the module says
    Callee, // may reach one iff the (analyzable) callee may
  };
  std::pair<Reach, const Function *> classify(const CallBase &CB) const;
  bool declarationMayAllocate(const Function &F) const;

  const ModuleTraceMalloc &MTM;
  DenseSet<const Function *> MayAllocate;
};

/// Rewrites the allocation calls of one function and maintains its
/// shadow-stack frame.
class FunctionInstrumenter {
public:
  FunctionInstrumenter(ModuleTraceMalloc &MTM, const AllocationAnalysis &AA,
                       Function &F, bool ElideTailFrames)
      : MTM(MTM), AA(AA), F(F), ElideTailFrames(ElideTailFrames) {}

  /// Instruments F; appends the calls that got a site store to \p SiteCalls.
  bool run(SmallVectorImpl<CallBase *> &SiteCalls);

private:
  void rewriteAllocCall(CallBase &CB, const AllocFnInfo &Info, unsigned Flags);
  void setFamilySite(CallBase &CB, unsigned Flags);
  BasicBlock *getFrameBlock(ArrayRef<CallBase *> FrameCalls,
                            ArrayRef<CallBase *> ReturnsTwiceCalls);
  bool preferCallFrames(ArrayRef<CallBase *> FrameCalls,
                        ArrayRef<CallBase *> ReturnsTwiceCalls);
  struct PushedFrame {
    Value *Shadow, *Depth, *Inner, *Slot;
  };
  PushedFrame emitPush(IRBuilder<> &IRB);
  void insertCallFrames(ArrayRef<CallBase *> FrameCalls);
  bool getRegionExits(BasicBlock &FrameBB,
                      SmallVectorImpl<BasicBlock *> &Exits) const;
  void insertFrame(ArrayRef<CallBase *> SiteCalls,
                   ArrayRef<CallBase *> ReturnsTwiceCalls);
  Instruction *getRestorePoint(BasicBlock &BB) const;
  /// Whether a call in \p BB runs with this function's frame pushed.
  bool isInFrame(const BasicBlock &BB) const {
    return FrameBB && DT.dominates(FrameBB, &BB);
  }

  ModuleTraceMalloc &MTM;
  const AllocationAnalysis &AA;
  Function &F;
  const bool ElideTailFrames;
  /// Computed only for functions that get a frame.
  DominatorTree DT;
  /// Where the frame is pushed; null without a frame.
  BasicBlock *FrameBB = nullptr;
  /// The blocks outside FrameBB's region that edges from inside lead to
  /// (none when FrameBB is the entry block).
  SmallVector<BasicBlock *, 4> FrameExits;
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

static StructType *getShadowStackIRType(LLVMContext &Ctx) {
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *Int32Ty = Type::getInt32Ty(Ctx);
  // {depth, reserved, slots[TM_SHADOW_CAP]}
  Type *Fields[] = {Int32Ty, Int32Ty, ArrayType::get(PtrTy, ShadowCapacity)};
  if (StructType *Existing = StructType::getTypeByName(Ctx, ShadowTypeName))
    if (!Existing->isOpaque() &&
        Existing->elements() == ArrayRef<Type *>(Fields))
      return Existing;
  return StructType::create(Ctx, Fields, ShadowTypeName);
}

ModuleTraceMalloc::ModuleTraceMalloc(Module &M, const TraceMallocConfig *Config)
    : M(M), Ctx(M.getContext()), SiteTy(getSiteType(Ctx)),
      ShadowTy(getShadowStackIRType(Ctx)), PtrTy(PointerType::getUnqual(Ctx)),
      Int32Ty(Type::getInt32Ty(Ctx)), Config(Config) {
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
    const AllocFnInfo *Info = lookupAllocFn(Callee.getName());
    if (Info && hasShape(Callee.getFunctionType(), Info->Shape, DL))
      AllocFnCallees[&Callee] = Info;
  }
  if (NamedMDNode *Scopes = M.getNamedMetadata(FamiliesMDName))
    for (const MDNode *Scope : Scopes->operands())
      if (const auto *SP = dyn_cast<DISubprogram>(Scope))
        FamilyScopes.insert(SP);
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

GlobalVariable *ModuleTraceMalloc::getShadowStack() {
  if (ShadowStack)
    return ShadowStack;
  // A module that includes tm_abi.h may use __tm_shadow itself.
  if (GlobalVariable *Existing = M.getNamedGlobal(ShadowVarName)) {
    if (!Existing->isThreadLocal())
      report_fatal_error(Twine("tracemalloc: ") + ShadowVarName +
                         " is declared, but not thread_local");
    return ShadowStack = Existing;
  }
  // Initial-exec like its definition in the runtime: one add to the thread
  // pointer, no __tls_get_addr call in the prologue of every frame.
  ShadowStack = new GlobalVariable(
      M, ShadowTy, /*isConstant=*/false, GlobalValue::ExternalLinkage,
      /*Initializer=*/nullptr, ShadowVarName, /*InsertBefore=*/nullptr,
      GlobalValue::InitialExecTLSModel);
  return ShadowStack;
}

GlobalVariable *ModuleTraceMalloc::createSite(
    Function &F, StringRef Filename, StringRef Function, Constant *InlinedAt,
    unsigned Line, unsigned Column, unsigned Flags, unsigned ChainDepth) {
  Constant *Fields[] = {getString(Filename),
                        getString(Function),
                        InlinedAt,
                        ConstantInt::get(Int32Ty, Line),
                        ConstantInt::get(Int32Ty, Column),
                        ConstantInt::get(Int32Ty, Flags),
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
ModuleTraceMalloc::getSiteForLocation(const DILocation *Loc, Function &F,
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
    Function = getSourceName(F);

  SiteRecord Site = {
      createSite(F, getAbsolutePath(Loc->getDirectory(), Loc->getFilename()),
                 Function, InlinedAt, Loc->getLine(), Loc->getColumn(), Flags,
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

GlobalVariable *ModuleTraceMalloc::getSiteWithoutLocation(Function &F,
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
      Function = getSourceName(F);
  } else {
    // Clang makes up __clang_call_terminate without debug information even
    // when the module has it: not worth a warning.
    if (M.debug_compile_units().empty() || !hasPrefix(F.getName(), "__clang_"))
      warnNoDebugInfo();
    SmallString<256> Path(M.getSourceFileName());
    // The compiler runs in the directory the file name is relative to.
    sys::fs::make_absolute(Path);
    sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
    Filename = std::string(Path);
    Function = getSourceName(F);
  }
  Site = createSite(F, Filename, Function, ConstantPointerNull::get(PtrTy),
                    /*Line=*/0, /*Column=*/0, Flags, /*ChainDepth=*/1);
  return Site;
}

GlobalVariable *ModuleTraceMalloc::getSite(const DILocation *Loc, Function &F,
                                           unsigned Flags) {
  if (Loc)
    return getSiteForLocation(Loc, F, Flags).GV;
  ++NumCallsWithoutLocation;
  return getSiteWithoutLocation(F, Flags);
}

/// A defined function whose body the analysis may trust: the linker keeps
/// this body or one with the same meaning (ODR), never an unrelated one.
static bool hasAnalyzableBody(const Function &F) {
  return !F.isDeclaration() && !F.isInterposable() &&
         // A naked function is inline asm, which may call anything.
         !F.hasFnAttribute(Attribute::Naked);
}

AllocationAnalysis::AllocationAnalysis(Module &M, const ModuleTraceMalloc &MTM)
    : MTM(MTM) {
  // Callers of each analyzable function, and the functions that may
  // allocate by themselves.
  DenseMap<const Function *, SmallVector<const Function *, 4>> Callers;
  SmallVector<const Function *, 32> Worklist;
  for (const Function &F : M) {
    // Calls of family functions are classified by kind, whatever they do.
    if (!hasAnalyzableBody(F) || hasPrefix(F.getName(), RuntimePrefix) ||
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
    if (hasPrefix(Callee->getName(), RuntimePrefix))
      return {Reach::Never, nullptr};
    // A family function records with its caller's site, except a free.
    if (std::optional<FamilyKind> Kind = MTM.getFamilyKind(Callee))
      return {*Kind == FamilyKind::Free ? Reach::Never : Reach::Always,
              nullptr};
    // Matched like the rewrite matches them (prototype included).
    if (const AllocFnInfo *Info = MTM.getAllocFnInfo(CB.getCalledFunction()))
      return {isDeallocation(*Info) ? Reach::Never : Reach::Always, nullptr};
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

bool AllocationAnalysis::mayAllocate(const Function &F) const {
  if (F.isIntrinsic())
    return intrinsicCallsOut(F);
  if (hasPrefix(F.getName(), RuntimePrefix))
    return false;
  if (std::optional<FamilyKind> Kind = MTM.getFamilyKind(&F))
    return *Kind != FamilyKind::Free;
  if (hasAnalyzableBody(F))
    return MayAllocate.contains(&F);
  return F.hasFnAttribute(Attribute::Naked) || declarationMayAllocate(F);
}

/// Memory effects of a function or call that the shadow stack makes wrong.
static AttributeMask getShadowStackContradictedAttrs() {
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

void ModuleTraceMalloc::dropMemoryEffects(const AllocationAnalysis &AA,
                                          ArrayRef<CallBase *> SiteCalls) {
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
// Allocator family definitions (DESIGN.md section 2).
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
//===----------------------------------------------------------------------===//

namespace {

/// Wraps the family definitions of one module.
class FamilyWrapper {
public:
  FamilyWrapper(Module &M, const TraceMallocConfig &Config)
      : M(M), Ctx(M.getContext()), Config(Config),
        PtrTy(PointerType::getUnqual(Ctx)), Int32Ty(Type::getInt32Ty(Ctx)),
        IntPtrTy(M.getDataLayout().getIntPtrType(Ctx)) {}

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
  FunctionCallee getRuntime(StringRef Name, Type *Ret,
                            ArrayRef<Type *> Params) {
    AttributeList Attrs =
        AttributeList().addFnAttribute(Ctx, Attribute::NoUnwind);
    return M.getOrInsertFunction(
        Name, FunctionType::get(Ret, Params, /*isVarArg=*/false), Attrs);
  }

  Module &M;
  LLVMContext &Ctx;
  const TraceMallocConfig &Config;
  PointerType *PtrTy;
  IntegerType *Int32Ty;
  IntegerType *IntPtrTy;
  NamedMDNode *Scopes = nullptr;
};

} // namespace

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
    // change (available_externally, the runtime's), or asked not to.
    if (F.hasFnAttribute(Attribute::Naked) ||
        F.hasAvailableExternallyLinkage() ||
        hasPrefix(F.getName(), RuntimePrefix) ||
        F.hasFnAttribute(Attribute::DisableSanitizerInstrumentation) ||
        F.isPresplitCoroutine()) {
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
  Type *VoidTy = IRB.getVoidTy();
  switch (Fn.Kind) {
  case FamilyKind::Malloc:
    IRB.CreateCall(
        getRuntime("__tm_family_alloc", VoidTy,
                   {Int32Ty, Int32Ty, PtrTy, IntPtrTy, PtrTy}),
        {Trace, Domain, Result, getSizeArg(IRB, F, Fn.Size), NoSite});
    return;
  case FamilyKind::Calloc:
    IRB.CreateCall(
        getRuntime("__tm_family_calloc", VoidTy,
                   {Int32Ty, Int32Ty, PtrTy, IntPtrTy, IntPtrTy, PtrTy}),
        {Trace, Domain, Result, getSizeArg(IRB, F, Fn.Nmemb),
         getSizeArg(IRB, F, Fn.Size), NoSite});
    return;
  case FamilyKind::Realloc:
    IRB.CreateCall(
        getRuntime("__tm_family_realloc_end", VoidTy,
                   {Int32Ty, PtrTy, PtrTy, IntPtrTy, PtrTy, Int32Ty, PtrTy}),
        {Trace, State, F.getArg(Fn.Ptr), getSizeArg(IRB, F, Fn.Size), Result,
         IRB.getInt32(Fn.ZeroFrees), NoSite});
    return;
  case FamilyKind::Free:
    IRB.CreateCall(getRuntime("__tm_family_leave", VoidTy, {}));
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
  GlobalVariable *Tracing = M.getGlobalVariable("__tm_tracing");
  if (!Tracing)
    Tracing = new GlobalVariable(M, Int32Ty, /*isConstant=*/false,
                                 GlobalValue::ExternalLinkage, nullptr,
                                 "__tm_tracing");
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
    Type *StateTy = ArrayType::get(IRB.getInt64Ty(), ReallocStateWords);
    State = IRB.CreateAlloca(StateTy, nullptr, "tm.state");
  }
  SmallVector<Value *, 8> Args;
  for (Argument &Arg : F.args())
    Args.push_back(&Arg);
  emitUntracedPath(IRB, F, *Body, Args);
  if (Fn.Kind == FamilyKind::Free) {
    // Untracks (before the block can be reused) and raises the count.
    IRB.CreateCall(
        getRuntime("__tm_family_free", IRB.getVoidTy(), {Int32Ty, PtrTy}),
        {IRB.getInt32(Fn.Domain), F.getArg(Fn.Ptr)});
  } else {
    Trace = IRB.CreateCall(getRuntime("__tm_family_enter", Int32Ty, {}), {},
                           "tm.trace");
    if (Fn.Kind == FamilyKind::Realloc)
      IRB.CreateCall(getRuntime("__tm_family_realloc_begin", IRB.getVoidTy(),
                                {Int32Ty, Int32Ty, PtrTy, PtrTy}),
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

bool ModuleTraceMalloc::instrumentModule() {
  if (M.getNamedMetadata(InstrumentedMDName)) {
    LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getModuleIdentifier()
                      << " is already instrumented\n");
    return false;
  }
  // Mark the module even when there is nothing to rewrite: the mark says
  // the module went through the pass, not that it allocates.
  M.getOrInsertNamedMetadata(InstrumentedMDName);
  if (Config && Config->isIgnoredSource(M)) {
    LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getSourceFileName()
                      << " is on the ignore list\n");
    return false;
  }

  // Computed before any change: rewriting turns allocation calls into
  // calls of __tm_* functions, which the analysis counts as allocation-free.
  AllocationAnalysis AA(M, *this);
  SmallVector<CallBase *, 64> SiteCalls;
  bool Changed = false;
  bool ElideTailFrames = elideTailFrames();
  for (Function &F : M) {
    if (shouldSkipFunction(F) || isFamilyFunction(F) ||
        (Config && Config->isIgnoredFunction(F)))
      continue;
    Changed |=
        FunctionInstrumenter(*this, AA, F, ElideTailFrames).run(SiteCalls);
  }
  if (Changed)
    dropMemoryEffects(AA, SiteCalls);
  return Changed;
}

bool FunctionInstrumenter::run(SmallVectorImpl<CallBase *> &SiteCalls) {
  // Collect first: rewriting erases instructions.
  SmallVector<std::pair<CallBase *, const AllocFnInfo *>, 8> AllocCalls;
  SmallVector<CallBase *, 16> FrameCalls;
  SmallVector<CallBase *, 2> ReturnsTwiceCalls;
  // The recording calls of family wrappers inlined here.
  SmallVector<CallBase *, 2> FamilyCalls;
  for (Instruction &I : instructions(F)) {
    // callbr only ever calls inline asm.
    if (!isa<CallInst>(I) && !isa<InvokeInst>(I))
      continue;
    auto *CB = cast<CallBase>(&I);
    // getCalledFunction() is null for indirect calls and for calls whose
    // type does not match the callee's (a K&R call of `malloc()`).
    if (const Function *Callee = CB->getCalledFunction();
        Callee && isFamilyRecordFunction(Callee->getName())) {
      FamilyCalls.push_back(CB);
      continue;
    }
    // The body of a family function inlined here: what it allocates is not
    // recorded, so its calls need neither rewriting nor site stores.
    if (MTM.isInlinedFromFamily(CB->getDebugLoc().get())) {
      if (CB->hasFnAttr(Attribute::ReturnsTwice))
        ReturnsTwiceCalls.push_back(CB);
      ++NumNonAllocatingCalls;
      continue;
    }
    if (const AllocFnInfo *Info = MTM.getAllocFnInfo(CB->getCalledFunction())) {
      // Its site is passed explicitly: no frame needed for it.
      AllocCalls.push_back({CB, Info});
      continue;
    }
    if (CB->hasFnAttr(Attribute::ReturnsTwice))
      ReturnsTwiceCalls.push_back(CB);
    // Nothing runs in this frame after a musttail call, so its site would
    // never be read: the frame is popped before it instead.
    if (auto *CI = dyn_cast<CallInst>(CB); CI && CI->isMustTailCall())
      continue;
    if (AA.mayAllocate(*CB)) {
      if (ElideTailFrames && isForwardingCall(*CB))
        ++NumElidedTailCalls;
      else
        FrameCalls.push_back(CB);
    } else if (!isa<IntrinsicInst>(CB) && !CB->isInlineAsm())
      ++NumNonAllocatingCalls;
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
    DT.recalculate(F);
    FrameBB = getFrameBlock(FrameCalls, ReturnsTwiceCalls);
    if (FrameBB == &F.getEntryBlock() &&
        preferCallFrames(FrameCalls, ReturnsTwiceCalls)) {
      // No frame for the function as a whole: every allocation in it is
      // made outside one.
      CallFrames = true;
      FrameBB = nullptr;
    }
  }
  // Inside the frame, the top slot is this function's own and holds a stale
  // site when it allocates; outside, the top slot is its caller's.
  for (auto &[CB, Info] : AllocCalls)
    rewriteAllocCall(*CB, *Info,
                     isInFrame(*CB->getParent()) ? SiteOwnFrame : 0);
  for (CallBase *CB : FamilyCalls)
    setFamilySite(*CB, isInFrame(*CB->getParent()) ? SiteOwnFrame : 0);
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
    if (!DT.isReachableFromEntry(BB))
      return;
    Common = Common ? DT.findNearestCommonDominator(Common, BB) : BB;
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
  LoopInfo LI(DT);
  while (Loop *L = LI.getLoopFor(Common))
    Common = DT.getNode(L->getHeader())->getIDom()->getBlock();
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
    if (!DT.isReachableFromEntry(&BB) || !DT.dominates(&FrameBB, &BB))
      continue;
    Instruction *Term = BB.getTerminator();
    for (unsigned I = 0, E = Term->getNumSuccessors(); I != E; ++I) {
      BasicBlock *Succ = Term->getSuccessor(I);
      if (DT.dominates(&FrameBB, Succ))
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
/// around the call, instead of the function pushing one at entry: when the
/// calls are rare (error paths, a slow path of an allocator) and spread
/// over branches whose only common dominator is the entry block, so that
/// shrink-wrapping could not move the frame off the common path. A frame
/// around one call costs about what the function's frame does (load,
/// store, slot address; a store on the way out), so it pays when the
/// calls, together, are expected on fewer than half of the function's
/// runs: the static estimate of block frequencies (loops, branch weights
/// such as __builtin_expect's, paths to noreturn or cold calls) says. A
/// frame must be at hand after setjmp returns again and in a landing pad,
/// and an invoke's unwind edge has no room for the pop: those functions
/// keep the frame at entry.
bool FunctionInstrumenter::preferCallFrames(
    ArrayRef<CallBase *> FrameCalls, ArrayRef<CallBase *> ReturnsTwiceCalls) {
  if (!ReturnsTwiceCalls.empty() ||
      any_of(FrameCalls, [](CallBase *CB) { return isa<InvokeInst>(CB); }) ||
      any_of(F, [](BasicBlock &BB) { return BB.isEHPad(); }))
    return false;
  LoopInfo LI(DT);
  PostDominatorTree PDT(F);
  BranchProbabilityInfo BPI(F, LI, /*TLI=*/nullptr, &DT, &PDT);
  BlockFrequencyInfo BFI(F, BPI, LI);
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
  if ((Callee && hasPrefix(Callee->getName(), RuntimePrefix)) ||
      CI->hasFnAttr(Attribute::ReturnsTwice))
    return Ret;
  if (AA.mayAllocate(*CI) && !(ElideTailFrames && isForwardingCall(*CI)))
    return Ret;
  return CI;
}

/// Push: d = depth; depth = d + 1; slot = &slots[min(d, CAP - 1)], at
/// \p IRB's insertion point. The code belongs to no source line.
FunctionInstrumenter::PushedFrame
FunctionInstrumenter::emitPush(IRBuilder<> &IRB) {
  LLVMContext &Ctx = F.getContext();
  Type *Int32Ty = Type::getInt32Ty(Ctx);
  if (DISubprogram *SP = F.getSubprogram())
    IRB.SetCurrentDebugLocation(DILocation::get(Ctx, 0, 0, SP));
  Value *Shadow = tmcompat::createThreadLocalAddress(IRB, MTM.getShadowStack(),
                                                     "tm.shadow");
  // depth is the first field of the shadow stack.
  Value *Depth = IRB.CreateLoad(Int32Ty, Shadow, "tm.depth");
  Value *Inner =
      IRB.CreateAdd(Depth, ConstantInt::get(Int32Ty, 1), "tm.depth.inner");
  IRB.CreateStore(Inner, Shadow);
  // Deeper frames than the capacity share the last slot.
  Value *Index = IRB.CreateBinaryIntrinsic(
      Intrinsic::umin, Depth, ConstantInt::get(Int32Ty, ShadowCapacity - 1),
      /*FMFSource=*/nullptr, "tm.index");
  Index = IRB.CreateZExt(Index, IRB.getInt64Ty(), "tm.index.ext");
  Value *Slot = IRB.CreateInBoundsGEP(
      MTM.getShadowStackType(), Shadow,
      {IRB.getInt64(0), IRB.getInt32(ShadowSlotsField), Index}, "tm.slot");
  return {Shadow, Depth, Inner, Slot};
}

/// A frame around each call (see preferCallFrames): pushed right before it,
/// with the call's site in its slot, popped right after it. The pop
/// decrements: when the call returns, the callee has restored the depth it
/// found, the pushed one (no setjmp, no landing pad here: nothing else
/// comes back to this point), and keeping the old depth in a register
/// across the call would cost the common path a register save.
void FunctionInstrumenter::insertCallFrames(ArrayRef<CallBase *> FrameCalls) {
  ++NumFunctionsWithFrame;
  Type *Int32Ty = Type::getInt32Ty(F.getContext());
  for (CallBase *CB : FrameCalls) {
    IRBuilder<> IRB(CB);
    PushedFrame Push = emitPush(IRB);
    IRB.CreateStore(MTM.getSite(CB->getDebugLoc().get(), F, /*Flags=*/0),
                    Push.Slot);
    IRB.SetInsertPoint(CB->getNextNode());
    Value *After = IRB.CreateLoad(Int32Ty, Push.Shadow, "tm.depth.after");
    IRB.CreateStore(
        IRB.CreateSub(After, ConstantInt::get(Int32Ty, 1), "tm.depth.popped"),
        Push.Shadow);
    ++NumCallFrames;
    ++NumSiteStores;
    ++NumDepthRestores;
  }
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
  auto [Shadow, Depth, Inner, Slot] = emitPush(IRB);

  // The call site, before each call that may allocate.
  for (CallBase *CB : FrameCalls) {
    IRB.SetInsertPoint(CB);
    IRB.CreateStore(MTM.getSite(CB->getDebugLoc().get(), F, /*Flags=*/0), Slot);
    ++NumSiteStores;
  }

  // Returns restore the depth the caller had (never decrement: a callee that
  // was left by longjmp or an exception did not restore its own); so do the
  // edges that leave the frame's region.
  for (BasicBlock *BB : Returns) {
    IRB.SetInsertPoint(getRestorePoint(*BB));
    IRB.CreateStore(Depth, Shadow);
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
    IRB.CreateStore(Depth, Shadow);
    ++NumDepthRestores;
  }

  // When setjmp returns again (longjmp) and when an exception lands here,
  // the frames in between are gone: this frame is the top one again.
  for (CallBase *CB : ReturnsTwiceCalls) {
    tmcompat::setInsertPoint(IRB, getAfterCall(*CB));
    IRB.CreateStore(Inner, Shadow);
    ++NumDepthRestores;
  }
  for (BasicBlock &BB : F) {
    // A catchswitch block holds nothing else; its catchpads get the store.
    if (!BB.isEHPad() || isa<CatchSwitchInst>(tmcompat::getFirstNonPHI(BB)))
      continue;
    IRB.SetInsertPoint(&BB, BB.getFirstInsertionPt());
    IRB.CreateStore(Inner, Shadow);
    ++NumDepthRestores;
  }
}

void FunctionInstrumenter::rewriteAllocCall(CallBase &CB,
                                            const AllocFnInfo &Info,
                                            unsigned Flags) {
  LLVMContext &Ctx = F.getContext();
  FunctionCallee RuntimeFn =
      MTM.getRuntimeFunction(*CB.getCalledFunction(), Info);
  GlobalVariable *Site = MTM.getSite(CB.getDebugLoc().get(), F, Flags);
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
  if (Loc && MTM.isFamilyScope(Loc->getScope()->getSubprogram()))
    Loc = Loc->getInlinedAt();
  LLVM_DEBUG(dbgs() << "tracemalloc: " << F.getName()
                    << ": inlined family call " << CB << "\n");
  CB.setArgOperand(CB.arg_size() - 1, MTM.getSite(Loc, F, Flags));
  ++NumFamilySites;
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
    if (M.getNamedMetadata(InstrumentedMDName)) {
      LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getModuleIdentifier()
                        << " is already instrumented\n");
      return PreservedAnalyses::all();
    }
    if (!hasOpaquePointers(M, /*Report=*/true))
      return PreservedAnalyses::all();
    std::shared_ptr<const TraceMallocConfig> Config = getConfig(M);
    // Normally done at the start of the pipeline already.
    bool Changed = Config && FamilyWrapper(M, *Config).run();
    Changed |= ModuleTraceMalloc(M, Config.get()).instrumentModule();
    return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
  // Instrumentation must run at -O0 and in optnone functions too.
  static bool isRequired() { return true; }
};

/// Turns allocator family definitions into wrappers, before the inliner
/// copies their bodies into callers in the same module.
struct TraceMallocFamiliesPass : PassInfoMixin<TraceMallocFamiliesPass> {
  static StringRef name() { return "TraceMallocFamiliesPass"; }
  void printPipeline(raw_ostream &OS, function_ref<StringRef(StringRef)>) {
    OS << "tracemalloc-families";
  }

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    if (M.getNamedMetadata(InstrumentedMDName) ||
        !hasOpaquePointers(M, /*Report=*/false))
      return PreservedAnalyses::all();
    std::shared_ptr<const TraceMallocConfig> Config = getConfig(M);
    if (!Config || !FamilyWrapper(M, *Config).run())
      return PreservedAnalyses::all();
    return PreservedAnalyses::none();
  }
  static bool isRequired() { return true; }
};

} // namespace

static void registerPasses(PassBuilder &PB) {
  // Family definitions are wrapped first, before any inlining.
  PB.registerPipelineStartEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(TraceMallocFamiliesPass());
      });
  // Last in the per-module pipeline, after inlining, so each record names
  // the final call and its inlined frames. Clang's -O0 pipeline calls these
  // callbacks as well.
  tmcompat::registerOptimizerLastEPCallback(
      PB, [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(TraceMallocPass());
      });
  // After cross-module inlining; a no-op on modules instrumented before.
  tmcompat::registerFullLinkTimeOptimizationLastEPCallback(
      PB, [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(TraceMallocPass());
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name == "tracemalloc-families") {
          MPM.addPass(TraceMallocFamiliesPass());
          return true;
        }
        if (Name != "tracemalloc")
          return false;
        MPM.addPass(TraceMallocPass());
        return true;
      });
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return tmcompat::makePluginInfo("TraceMalloc", LLVM_VERSION_STRING,
                                  registerPasses);
}
