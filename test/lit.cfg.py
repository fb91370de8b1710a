# lit configuration of the TraceMalloc test suite.
import os
import shutil

import lit.formats

config.name = "TraceMalloc"

# A test that hangs (a deadlock in the tracer, say) fails after this long
# instead of stalling the run; lit needs psutil for it.
try:
    import psutil  # noqa: F401

    lit_config.maxIndividualTestTime = 300
except ImportError:
    lit_config.note("psutil not found: no per-test timeout")
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".c", ".cpp", ".ll", ".test", ".py"]
config.excludes = ["Inputs", "tools", "lit.cfg.py", "lit.site.cfg.py", "lit.local.cfg"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = getattr(config, "tm_test_exec_root", config.test_source_root)

bin_dir = os.path.join(config.tm_obj_root, "bin")
lib_dir = os.path.join(config.tm_obj_root, "lib")
plugin = os.path.join(lib_dir, "TraceMalloc.so")
clang = os.path.join(config.llvm_tools_dir, "clang")

# Tests must not inherit tracing options from the shell that runs lit.
for name in list(os.environ):
    if name.startswith("TRACEMALLOC"):
        del os.environ[name]
config.environment["LC_ALL"] = "C"

config.substitutions.append(("%tmcc", os.path.join(bin_dir, "tmcc")))
config.substitutions.append(("%tmcxx", os.path.join(bin_dir, "tmc++")))
config.substitutions.append(("%tracemalloc", os.path.join(bin_dir, "tracemalloc")))
config.substitutions.append(("%plugin", plugin))
config.substitutions.append(("%libdir", lib_dir))
config.substitutions.append(("%include", os.path.join(config.tm_src_root, "include")))
# llvm-N: for tests whose input IR uses syntax older LLVMs do not parse.
config.available_features.add("llvm-" + config.llvm_version_major)
# Another LLVM's development files, for the configure tests.
if os.path.exists("/usr/lib/llvm-22/lib/cmake/llvm/LLVMConfig.cmake"):
    config.available_features.add("llvm22-dev")
# Headless Chromium, for the HTML report's screenshot tests (utils/bootstrap
# installs it for the test suite).
if os.path.exists("/usr/bin/chromium") or shutil.which("chromium"):
    config.available_features.add("chromium")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")
# LLVM 14 defaults to typed pointers; the pass and the IR tests need opaque
# ones (tmcc asks for them itself). Its opt also knows the plugin's options
# only when -load loads it before the command line is parsed.
opaque_clang = opaque_opt = ""
if config.llvm_version_major == "14":
    opaque_clang = " -mllvm -opaque-pointers"
    opaque_opt = " -opaque-pointers -load=" + plugin
# The configured clang alone, for build systems (CMAKE_C_COMPILER=...).
config.substitutions.append(("%cc_bin", clang))
config.substitutions.append(("%clangxx", clang + "++" + opaque_clang))
config.substitutions.append(("%clang", clang + opaque_clang))
config.substitutions.append(
    ("%opt", config.opt + opaque_opt + " -load-pass-plugin=" + plugin))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%srcroot", config.tm_src_root))
# Inputs shared by the tests of several folders (test/Inputs); an input used
# by one folder's tests only lives in that folder's Inputs/ (%S/Inputs).
config.substitutions.append(
    ("%inputs", os.path.join(config.test_source_root, "Inputs")))
# FileCheck, not and count come from the LLVM tools directory.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, bin_dir, os.environ.get("PATH", "")])
config.substitutions.append(
    ("%mksnap", os.path.join(config.tm_test_exec_root, "tools", "tm-mksnap")))
config.substitutions.append(("%objroot", config.tm_obj_root))
# go tool pprof reads the pprof export (test/cli/pprof.test); Debian's
# golang-go (utils/bootstrap test) puts go on PATH.
go = shutil.which("go") or shutil.which("go", path="/usr/lib/go/bin")
if go:
    config.available_features.add("go")
    config.substitutions.append(("%go", go))
# The core runtime under sanitizers (test/fuzz/CMakeLists.txt): libFuzzer
# targets and libtm_tsan.a, when the compiler has them.
if getattr(config, "tm_fuzz", "") in ("ON", "1", "TRUE"):
    config.available_features.add("fuzzer")
if getattr(config, "tm_tsan", "") in ("ON", "1", "TRUE"):
    config.available_features.add("tsan")
config.substitutions.append(
    ("%fuzzdir", os.path.join(config.tm_test_exec_root, "fuzz")))

# A build with -DTM_SANITIZE=... (utils/check-sanitizers): the runtime and
# the tools are sanitized, and the sanitizer's shared runtime is preloaded
# into every test process, so that its allocator is every program's (the
# runtime then leaves the malloc family to it). Programs built with %clang
# that link the core (libtm_core.a) get that runtime as a linker input too,
# which changes no IR.
if getattr(config, "tm_sanitize", ""):
    config.available_features.add("sanitized")
    config.environment["LD_PRELOAD"] = config.tm_sanitizer_runtime
    config.environment["ASAN_OPTIONS"] = (
        "detect_leaks=0:verify_asan_link_order=0:allocator_may_return_null=1"
        ":alloc_dealloc_mismatch=0:exitcode=99")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    link = " -Wno-unused-command-line-argument %s -Wl,-rpath,%s" % (
        config.tm_sanitizer_runtime,
        os.path.dirname(config.tm_sanitizer_runtime))
    config.substitutions = [
        (key, value + link) if key in ("%clang", "%clangxx") else (key, value)
        for key, value in config.substitutions]
