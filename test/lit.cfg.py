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
config.substitutions.append(("%clangxx", clang + "++"))
config.substitutions.append(("%clang", clang))
config.substitutions.append(("%opt", config.opt + " -load-pass-plugin=" + plugin))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%srcroot", config.tm_src_root))
# FileCheck, not and count come from the LLVM tools directory.
config.environment["PATH"] = os.pathsep.join(
    [config.llvm_tools_dir, bin_dir, os.environ.get("PATH", "")])
config.substitutions.append(
    ("%mksnap", os.path.join(config.tm_test_exec_root, "tools", "tm-mksnap")))
config.substitutions.append(("%objroot", config.tm_obj_root))
