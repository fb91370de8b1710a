//===- SiteRecords.h - The constant __tm_site records ----------*- C++ -*-===//
//
// Each call the runtime may record a traceback through is identified by
// the address of a constant site record (struct __tm_site of
// include/tracemalloc/abi.def): where the call is and in which function.
// When the call was inlined, its DILocation's inlinedAt chain is emitted as
// linked records (innermost first), so a traceback recovers the inlined
// frames at no run-time cost.
//
//===----------------------------------------------------------------------===//

#ifndef TRACEMALLOC_SITERECORDS_H
#define TRACEMALLOC_SITERECORDS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <tuple>
#include <utility>

namespace llvm {

class Comdat;
class Constant;
class DILocation;
class Function;
class GlobalVariable;
class LLVMContext;
class Module;
class PointerType;
class StructType;

/// Builds and caches the site records of one module and their strings.
class SiteRecords {
public:
  explicit SiteRecords(Module &M);

  /// The site record of a call at \p Loc in \p F, or of a call without a
  /// location when \p Loc is null. \p Flags (TM_SITE_*) only matter to the
  /// innermost record of an allocation call; its inlined_at records have none.
  GlobalVariable *getSite(const DILocation *Loc, Function &F, unsigned Flags);

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

  Module &M;
  LLVMContext &Ctx;
  StructType *SiteTy;
  PointerType *PtrTy;

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

} // namespace llvm

#endif // TRACEMALLOC_SITERECORDS_H
