# What 'cmake --install' puts next to the binaries the subdirectories
# install: the CMake package (lib/cmake/TraceMalloc), the pkg-config file
# (lib/pkgconfig/tracemalloc.pc) and the manual pages (share/man/man1).
#
# Every installed path is relative to the prefix and every file that names
# another finds it from its own location, so 'cmake --install build --prefix
# P' works for any P and the installed tree can be moved as a whole.
include(CMakePackageConfigHelpers)

if(NOT DEFINED TM_INSTALL_CMAKEDIR)
  set(TM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/TraceMalloc")
endif()
if(NOT DEFINED TM_INSTALL_PKGCONFIGDIR)
  set(TM_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()

# ---- CMake package: find_package(TraceMalloc) ----
# TraceMalloc::runtime, TraceMalloc::runtime_static and TraceMalloc::preinit
# (the export set is filled by runtime/CMakeLists.txt), the plugin and the
# tools' paths, and tracemalloc_instrument().
set(TM_PACKAGE_TEMPLATE ${CMAKE_CURRENT_LIST_DIR}/TraceMallocConfig.cmake.in)

function(tm_write_package_config dir destination install_prefix libdir bindir
         includedir)
  set(TM_PLUGIN_PATH "${libdir}/TraceMalloc.so")
  set(TM_TMCC_PATH "${bindir}/tmcc")
  set(TM_TMCXX_PATH "${bindir}/tmc++")
  set(TM_CLI_PATH "${bindir}/tracemalloc")
  set(TM_INCLUDE_PATH "${includedir}")
  set(prefix_option)
  if(install_prefix)
    set(prefix_option INSTALL_PREFIX "${install_prefix}")
  endif()
  configure_package_config_file(${TM_PACKAGE_TEMPLATE}
    ${dir}/TraceMallocConfig.cmake
    INSTALL_DESTINATION "${destination}"
    ${prefix_option}
    PATH_VARS TM_PLUGIN_PATH TM_TMCC_PATH TM_TMCXX_PATH TM_CLI_PATH
              TM_INCLUDE_PATH)
  write_basic_package_version_file(${dir}/TraceMallocConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
endfunction()

# Installed: PREFIX/<libdir>/cmake/TraceMalloc.
set(TM_PACKAGE_STAGING ${CMAKE_BINARY_DIR}/cmake/install)
tm_write_package_config(${TM_PACKAGE_STAGING} "${TM_INSTALL_CMAKEDIR}" ""
  "${CMAKE_INSTALL_LIBDIR}" "${CMAKE_INSTALL_BINDIR}" "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT TraceMallocTargets NAMESPACE TraceMalloc::
  DESTINATION ${TM_INSTALL_CMAKEDIR} FILE TraceMallocTargets.cmake)
install(FILES ${TM_PACKAGE_STAGING}/TraceMallocConfig.cmake
  ${TM_PACKAGE_STAGING}/TraceMallocConfigVersion.cmake
  DESTINATION ${TM_INSTALL_CMAKEDIR})

# The build tree is a prefix too (CMAKE_PREFIX_PATH=build): the same package
# in build/lib/cmake/TraceMalloc, for build/lib and build/bin.
set(TM_BUILD_PACKAGE_DIR ${CMAKE_BINARY_DIR}/lib/cmake/TraceMalloc)
tm_write_package_config(${TM_BUILD_PACKAGE_DIR} lib/cmake/TraceMalloc
  "${CMAKE_BINARY_DIR}" lib bin include)
export(EXPORT TraceMallocTargets NAMESPACE TraceMalloc::
  FILE ${TM_BUILD_PACKAGE_DIR}/TraceMallocTargets.cmake)

# ---- pkg-config: PREFIX/<libdir>/pkgconfig/tracemalloc.pc ----
# prefix is found from the file's own directory (${pcfiledir}) unless some
# directory was given as an absolute path.
if(IS_ABSOLUTE "${TM_INSTALL_PKGCONFIGDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}"
   OR IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(TM_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(TM_PC_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")
  set(TM_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(TM_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH TM_PC_UP "/prefix/${TM_INSTALL_PKGCONFIGDIR}" "/prefix")
  string(REGEX REPLACE "/$" "" TM_PC_UP "${TM_PC_UP}")
  set(TM_PC_PREFIX "\${pcfiledir}/${TM_PC_UP}")
  set(TM_PC_BINDIR "\${prefix}/${CMAKE_INSTALL_BINDIR}")
  set(TM_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(TM_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/tracemalloc.pc.in
  ${CMAKE_BINARY_DIR}/cmake/install/tracemalloc.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/cmake/install/tracemalloc.pc
  DESTINATION ${TM_INSTALL_PKGCONFIGDIR})

# ---- Manual pages: tmcc(1), tmc++(1) (a link to tmcc.1), tracemalloc(1) ----
set(TM_MAN_SOURCE_DIR ${PROJECT_SOURCE_DIR}/utils/man)
install(FILES ${TM_MAN_SOURCE_DIR}/tmcc.1 ${TM_MAN_SOURCE_DIR}/tracemalloc.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
if(IS_ABSOLUTE "${CMAKE_INSTALL_MANDIR}")
  set(TM_MAN1_DIR "\$ENV{DESTDIR}${CMAKE_INSTALL_MANDIR}/man1")
else()
  set(TM_MAN1_DIR "\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man1")
endif()
install(CODE "
  message(STATUS \"Installing: ${TM_MAN1_DIR}/tmc++.1\")
  file(CREATE_LINK tmcc.1 \"${TM_MAN1_DIR}/tmc++.1\" SYMBOLIC)")
