//===- TraceMalloc.cpp - Allocation calls to the TraceMalloc runtime ------===//
//
// TraceMalloc is Python's tracemalloc for C and C++. This pass plugin
// rewrites every direct call (and invoke) of an allocation function -- the
// malloc family and the C++ operators new and delete -- into a call of the
// matching runtime entry point, which takes the original arguments followed
// by the address of a constant *site record* describing the call, and
// maintains the per-thread *shadow stack* of call sites, so that a
// traceback has its callers' frames without unwinding. The contract with the
// runtime is include/tracemalloc/abi.def.
//
// This file registers the two passes and is all they do:
//
//   tracemalloc-families (TraceMallocFamiliesPass), at the start of the
//     pipeline, before inlining: turns the definitions of the allocator
//     family functions the configuration file names into wrappers that
//     record around their original bodies (FamilyWrapper).
//   tracemalloc (TraceMallocPass), at the end of the optimization pipeline
//     (after inlining, so each record describes the final machine-level
//     call) and at the end of full LTO: rewrites the allocation calls and
//     maintains the shadow stack (ShadowStackInstrumenter). A module is
//     never instrumented twice.
//
// The other files, in the order a call goes through them:
//
//   TraceMallocOptions   the command-line options and environment variables
//   FamilyConfig         the configuration file: families and ignore list
//   FamilyWrapper        allocator family definitions become wrappers
//   AllocationAnalysis   which functions allocate, which calls may reach one
//   DepthResets          which frames leave the depth to their callers
//   ShadowStackInstrumenter  call rewriting and shadow-stack frames
//   SiteRecords          the constant __tm_site records and their strings
//   RuntimeABI.h         the C++ view of include/tracemalloc/abi.def
//   LLVMCompat.h         every difference between LLVM 14 and 22
//
//===----------------------------------------------------------------------===//

#include "FamilyConfig.h"
#include "FamilyWrapper.h"
#include "LLVMCompat.h"
#include "ShadowStackInstrumenter.h"
#include "TraceMallocOptions.h"
#include "TraceMallocUtils.h"

#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Debug.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

using namespace llvm;

#define DEBUG_TYPE "tracemalloc"

/// Named metadata that marks a module as instrumented. The pass runs both
/// before and after LTO linking; the second run must not rewrite again.
constexpr char InstrumentedMDName[] = "tracemalloc.instrumented";

/// Named metadata that says a configuration error was reported for the
/// module, so that the second run of the pass does not repeat it.
constexpr char ConfigErrorMDName[] = "tracemalloc.config_error";

/// The configuration for \p M, or null when there is none or it is wrong
/// (which is then reported, once per module: the compilation fails).
static std::shared_ptr<const FamilyConfig>
getConfig(Module &M, const TraceMallocOptions &Options) {
  if (Options.ConfigPath.empty())
    return nullptr;
  Expected<std::shared_ptr<const FamilyConfig>> Config =
      FamilyConfig::load(Options.ConfigPath);
  if (Config)
    return std::move(*Config);
  std::string Error = toString(Config.takeError());
  if (!M.getNamedMetadata(ConfigErrorMDName)) {
    M.getOrInsertNamedMetadata(ConfigErrorMDName);
    M.getContext().diagnose(
        DiagnosticInfoTraceMalloc("tracemalloc: " + Error, DS_Error));
  }
  return nullptr;
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

namespace {

struct TraceMallocPass : PassInfoMixin<TraceMallocPass> {
  // PassInfoMixin would name it after the type: "(anonymous namespace)::...".
  static StringRef name() { return "TraceMallocPass"; }
  // What -print-pipeline-passes shows, so that its output parses again.
  void printPipeline(raw_ostream &OS, function_ref<StringRef(StringRef)>) {
    OS << "tracemalloc";
  }

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &MAM) {
    if (M.getNamedMetadata(InstrumentedMDName)) {
      LLVM_DEBUG(dbgs() << "tracemalloc: " << M.getModuleIdentifier()
                        << " is already instrumented\n");
      return PreservedAnalyses::all();
    }
    if (!hasOpaquePointers(M, /*Report=*/true))
      return PreservedAnalyses::all();
    const TraceMallocOptions &Options = TraceMallocOptions::get();
    std::shared_ptr<const FamilyConfig> Config = getConfig(M, Options);
    FunctionAnalysisManager &FAM =
        MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
    // Normally done at the start of the pipeline already. The wrapped
    // functions lost their bodies: forget what was computed for them.
    bool Changed = Config && FamilyWrapper(M, *Config).run();
    if (Changed)
      FAM.clear();
    // Mark the module even when there is nothing to rewrite: the mark says
    // the module went through the pass, not that it allocates.
    M.getOrInsertNamedMetadata(InstrumentedMDName);
    Changed |= ShadowStackInstrumenter(M, Config.get(), Options, FAM).run();
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
    std::shared_ptr<const FamilyConfig> Config =
        getConfig(M, TraceMallocOptions::get());
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
