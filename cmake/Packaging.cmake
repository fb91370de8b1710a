# Binary packages with CPack: 'cpack -G DEB' in a build directory gives
# tracemalloc_<version>-1_<arch>.deb, installing to /usr (CPack's default
# CPACK_PACKAGING_INSTALL_PREFIX for DEB).
#
# Configure that build directory with -DCMAKE_INSTALL_PREFIX=/usr: on Debian,
# GNUInstallDirs then puts the libraries and the plugin in the multiarch
# directory (/usr/lib/x86_64-linux-gnu), and tmcc is built to look for them
# there. (Any build directory gives a working package, since tmcc always
# looks in the libdir the package installs to; the prefix only decides
# whether that is lib or the multiarch one.)
set(CPACK_PACKAGE_NAME tracemalloc)
set(CPACK_PACKAGE_VENDOR "TraceMalloc Developers")
set(CPACK_PACKAGE_CONTACT "TraceMalloc Developers <dev@tracemalloc.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Python's tracemalloc for C and C++ (clang ${TM_LLVM_VERSION} pass plugin and runtime)")
set(CPACK_STRIP_FILES TRUE)
set(CPACK_GENERATOR TGZ)
if(EXISTS /usr/bin/dpkg-deb)
  set(CPACK_GENERATOR DEB)
endif()

# Debian: what the plugin, the runtime and the tools need. The plugin only
# loads into the clang it was built for, and tmcc runs that clang; the
# tracemalloc command gzips its pprof export with zlib.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "clang-${TM_LLVM_VERSION}, libc6 (>= 2.34), libgcc-s1, libstdc++6, zlib1g")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before this as the synopsis.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "TraceMalloc records every heap allocation of a C or C++ program with the
file and line that made it, as Python's tracemalloc module does for Python
code: compile with the clang ${TM_LLVM_VERSION} pass plugin (or the tmcc and tmc++
wrappers), run with TRACEMALLOC=1, and read the snapshot it writes with the
tracemalloc command: top allocation sites, comparisons, tracebacks.

This package has the plugin, the runtime library (shared and static), its
C header, the tmcc and tmc++ compiler wrappers, the tracemalloc command,
a CMake package and a pkg-config file.")

# 'make package_source': the sources without build directories.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/__pycache__/"
  "\\\\.tms$" "\\\\.pickle$")

include(CPack)
