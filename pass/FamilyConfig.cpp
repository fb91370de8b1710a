//===- FamilyConfig.cpp - The configuration file --------------------------===//
//
// Allocator families and the ignore list, named by -tracemalloc-config=FILE,
// else by the TRACEMALLOC_CONFIG environment variable (TraceMallocOptions).
// One entry per line; blank lines and lines starting with `#` are ignored;
// words are separated by blanks:
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
// pointer, and the trace domain (any unsigned 32-bit number; 0 is the C
// library's, which a project's xmalloc may share). zero_frees=1 says the
// function frees the block and returns NULL when asked for size 0 (glibc's
// realloc does; CPython's PyMem_Realloc does not): otherwise a NULL result is a
// failure and the old block keeps its trace. Keys are required except
// zero_frees; each function is named once.
//
// fun: and src: lines are the sanitizers' special-case list syntax (without
// sections or categories): functions whose (mangled or demangled) name and
// modules whose source file name (as given to the compiler, or absolute)
// matches GLOB are neither instrumented nor rewritten, and their family
// definitions are not wrapped. Any error is reported as FILE:LINE and fails
// the compilation.
//
//===----------------------------------------------------------------------===//

#include "FamilyConfig.h"
#include "LLVMCompat.h"
#include "TraceMallocUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <mutex>

using namespace llvm;

StringRef llvm::getFamilyKindName(FamilyKind Kind) {
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

std::optional<FamilyKind> llvm::parseFamilyKind(StringRef Name) {
  return StringSwitch<std::optional<FamilyKind>>(Name)
      .Case("malloc", FamilyKind::Malloc)
      .Case("calloc", FamilyKind::Calloc)
      .Case("realloc", FamilyKind::Realloc)
      .Case("free", FamilyKind::Free)
      .Default(std::nullopt);
}

Expected<std::unique_ptr<FamilyConfig>>
FamilyConfig::parse(std::unique_ptr<MemoryBuffer> Buffer, StringRef Path) {
  auto Config = std::make_unique<FamilyConfig>();
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
    if (Line.empty() || tmcompat::startsWith(Line, "#"))
      continue;
    if (tmcompat::startsWith(Line, "["))
      return Fail("sections are not supported: every entry applies");

    // fun:GLOB and src:GLOB.
    bool IsFun = tmcompat::startsWith(Line, "fun:");
    if (IsFun || tmcompat::startsWith(Line, "src:")) {
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

bool FamilyConfig::isIgnoredFunction(const Function &F) const {
  if (IgnoredFunctions.empty())
    return false;
  StringRef Name = F.getName();
  if (matchesAny(IgnoredFunctions, Name))
    return true;
  std::string Demangled = getSourceName(Name);
  return Demangled != Name && matchesAny(IgnoredFunctions, Demangled);
}

bool FamilyConfig::isIgnoredSource(const Module &M) const {
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

Expected<std::shared_ptr<const FamilyConfig>>
FamilyConfig::load(StringRef Path) {
  // The configuration, or the message of why there is none.
  struct Loaded {
    std::shared_ptr<const FamilyConfig> Config;
    std::string Error;
  };
  static std::mutex Lock;
  static StringMap<Loaded> Cache;
  std::lock_guard<std::mutex> Guard(Lock);
  auto [It, Inserted] = Cache.try_emplace(Path);
  Loaded &Entry = It->second;
  if (Inserted) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> Buffer =
        MemoryBuffer::getFile(Path, /*IsText=*/true);
    if (!Buffer) {
      Entry.Error = (Path + ": cannot read the configuration file: " +
                     Buffer.getError().message())
                        .str();
    } else {
      Expected<std::unique_ptr<FamilyConfig>> Config =
          parse(std::move(*Buffer), Path);
      if (Config)
        Entry.Config = std::move(*Config);
      else
        Entry.Error = toString(Config.takeError());
    }
  }
  if (!Entry.Error.empty())
    return createStringError(inconvertibleErrorCode(), Entry.Error);
  return Entry.Config;
}
