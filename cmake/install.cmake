# What `cmake --install` (make install PREFIX=...) puts where, and the libraries it installs.
#
#   include/duet/...                 the public headers (with the generated version.h)
#   lib/libduet.so.*, libduet.a      duet::core  - the portable layers (pkg-config duet)
#   lib/libduet-posix.so.*, .a       duet::posix - the top level (duet.h) over the posix port
#                                    (pkg-config duet-posix); duet::top names the same
#   lib/libduet-posix-main.a         duet::posix_main - main() for setup()/loop() programs
#   lib/libduet-arduino.a            the Arduino-compatible layer (headers in include/duet/arduino)
#   share/duet/arduino/              its sources, which duet-board compiles for a sketch on
#                                    the Cortex-M targets (--target an521|giga)
#   lib/duet/an521/                  the AN521 port for Cortex-M33 (with DUET_AN521): library,
#                                    linker scripts (headers duet/an521.h, duet/cortex_m.h)
#   share/duet/giga/                 duet's sources for the GIGA R1 (duet-board --target giga;
#                                    header duet/giga.h)
#   share/duet/port_check/           the port check's sources (tools/port_check), which a porter
#                                    builds for a board of their own (docs/porting.md)
#   lib/cmake/duet/                  duetConfig.cmake, duetConfigVersion.cmake, the targets
#   lib/pkgconfig/                   duet.pc, duet-posix.pc
#   bin/                             the tools (duet-board, duet-rpc)
#   share/man/man1/                  their manual pages
#   share/doc/duet/                  README, docs/, examples/
#
# The installed libraries are built from the same sources as the build's duet_core,
# duet_top and duet_posix (their SOURCES properties), compiled once more position
# independent, and the top level and the posix port are one library: a program links
# duet::posix (or -lduet-posix -lduet) and has the core, the top level and the port.
# Components (the Debian packages of cmake/package.cmake): libduet, libduet-posix (the
# shared libraries), dev (headers, static libraries, CMake and pkg-config files, docs and
# examples), tools.
include(GNUInstallDirs)
# DUET_DEB: the build is for the Debian packages (scripts/deb.sh sets it, with prefix /usr).
option(DUET_DEB "build for the Debian packages: each one's copyright and changelog, no RPATH" OFF)
include(CMakePackageConfigHelpers)

# While the major version is 0 a minor release may change the ABI: the soname carries both.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(DUET_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  set(DUET_VERSION_COMPATIBILITY SameMinorVersion)
else()
  set(DUET_SOVERSION ${PROJECT_VERSION_MAJOR})
  set(DUET_VERSION_COMPATIBILITY SameMajorVersion)
endif()
set(DUET_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/duet)
set(DUET_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/duet)

get_target_property(duet_install_core_sources duet_core SOURCES)
get_target_property(duet_install_top_sources duet_top SOURCES)
get_target_property(duet_install_posix_sources duet_posix SOURCES)
get_target_property(duet_install_posix_definitions duet_posix COMPILE_DEFINITIONS)
get_target_property(duet_install_main_sources duet_posix_main SOURCES)
find_package(Threads REQUIRED)

# duet_install_objects(NAME SOURCES...): the sources compiled position independent, once for
# the shared and the static library.
function(duet_install_objects name)
  add_library(${name} OBJECT ${ARGN})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include ${DUET_GENERATED_INCLUDE_DIR}
    ${CMAKE_SOURCE_DIR}/ports/posix/include ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${DUET_WARNINGS})
endfunction()
duet_install_objects(duet_install_core_objects ${duet_install_core_sources})
duet_install_objects(duet_install_posix_objects ${duet_install_top_sources} ${duet_install_posix_sources})
target_compile_definitions(duet_install_posix_objects PRIVATE ${duet_install_posix_definitions})
duet_install_objects(duet_install_main_objects ${duet_install_main_sources})

# The libraries: NAME (shared) and NAME_static of each, as their Debian and pkg-config names.
foreach(lib core posix)
  if(lib STREQUAL core)
    set(output duet)
  else()
    set(output duet-${lib})
  endif()
  add_library(duet_install_${lib} SHARED $<TARGET_OBJECTS:duet_install_${lib}_objects>)
  set_target_properties(duet_install_${lib} PROPERTIES OUTPUT_NAME ${output} EXPORT_NAME ${lib}
    VERSION ${PROJECT_VERSION} SOVERSION ${DUET_SOVERSION}
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
  # Every symbol a shared library needs comes from the libraries it names.
  target_link_options(duet_install_${lib} PRIVATE -Wl,--no-undefined)
  add_library(duet_install_${lib}_static STATIC $<TARGET_OBJECTS:duet_install_${lib}_objects>)
  set_target_properties(duet_install_${lib}_static PROPERTIES OUTPUT_NAME ${output} EXPORT_NAME ${lib}_static
    ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
  foreach(target duet_install_${lib} duet_install_${lib}_static)
    target_include_directories(${target} INTERFACE
      $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include> $<BUILD_INTERFACE:${DUET_GENERATED_INCLUDE_DIR}>
      $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/ports/posix/include>
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  endforeach()
endforeach()
target_link_libraries(duet_install_posix PUBLIC duet_install_core PRIVATE Threads::Threads)
# libduet-posix finds libduet beside itself wherever the prefix is (a program linked with
# -Wl,-rpath,PREFIX/lib finds only the libraries it names itself there). The packages
# install into the system's library directory and need no search path (lintian says so).
if(NOT DUET_DEB)
  set_target_properties(duet_install_posix PROPERTIES INSTALL_RPATH "\$ORIGIN")
endif()
target_link_libraries(duet_install_posix_static PUBLIC duet_install_core_static Threads::Threads)

add_library(duet_install_posix_main STATIC $<TARGET_OBJECTS:duet_install_main_objects>)
set_target_properties(duet_install_posix_main PROPERTIES OUTPUT_NAME duet-posix-main EXPORT_NAME posix_main
  ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
target_link_libraries(duet_install_posix_main PUBLIC duet_install_posix)

# ---------------------------------------------------------------- what goes where
install(TARGETS duet_install_core EXPORT duetTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libduet NAMELINK_COMPONENT dev)
install(TARGETS duet_install_posix EXPORT duetTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT libduet_posix NAMELINK_COMPONENT dev)
install(TARGETS duet_install_core_static duet_install_posix_static duet_install_posix_main EXPORT duetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)

install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/duet ${CMAKE_SOURCE_DIR}/ports/posix/include/duet
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev FILES_MATCHING PATTERN "*.h")
install(FILES ${DUET_VERSION_HEADER} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/duet COMPONENT dev)

# The CMake package: find_package(duet CONFIG) gives duet::core, duet::posix & co.
install(EXPORT duetTargets NAMESPACE duet:: DESTINATION ${DUET_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/duetConfig.cmake.in
  ${CMAKE_BINARY_DIR}/install/duetConfig.cmake INSTALL_DESTINATION ${DUET_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/install/duetConfigVersion.cmake
  COMPATIBILITY ${DUET_VERSION_COMPATIBILITY})
install(FILES ${CMAKE_BINARY_DIR}/install/duetConfig.cmake ${CMAKE_BINARY_DIR}/install/duetConfigVersion.cmake
  DESTINATION ${DUET_CMAKE_DIR} COMPONENT dev)

# pkg-config files, written at install time. prefix= is the .pc file's own place, climbed up
# to the prefix (${pcfiledir}/../..), so that an install still works after it moved; the
# Debian packages (and a libdir given as an absolute path) name the prefix installed to, /usr.
if(NOT DUET_DEB AND NOT IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  string(REGEX REPLACE "[^/]+" ".." duet_pc_up "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  set(DUET_PC_PREFIX "[[\${pcfiledir}/${duet_pc_up}]]")
else()
  set(DUET_PC_PREFIX "\"\${CMAKE_INSTALL_PREFIX}\"")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_LIBDIR})
  set(DUET_PC_LIBDIR ${CMAKE_INSTALL_LIBDIR})
else()
  set(DUET_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE ${CMAKE_INSTALL_INCLUDEDIR})
  set(DUET_PC_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
else()
  set(DUET_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
foreach(pc duet duet-posix)
  install(CODE "
    set(prefix ${DUET_PC_PREFIX})
    set(libdir [[${DUET_PC_LIBDIR}]])
    set(includedir [[${DUET_PC_INCLUDEDIR}]])
    set(PROJECT_VERSION ${PROJECT_VERSION})
    configure_file(${CMAKE_CURRENT_LIST_DIR}/${pc}.pc.in ${CMAKE_BINARY_DIR}/install/${pc}.pc @ONLY)"
    COMPONENT dev)
  install(FILES ${CMAKE_BINARY_DIR}/install/${pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

# Docs and examples (the sources, as a start for one's own programs).
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${DUET_DOC_DIR} COMPONENT dev)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${DUET_DOC_DIR}/docs COMPONENT dev)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${DUET_DOC_DIR}/examples COMPONENT dev
  PATTERN CMakeLists.txt EXCLUDE)

# The Arduino-compatible layer (compat/arduino) for sketches: its headers in include/duet/arduino
# (duet-board build puts them on the include path), the library as libduet-arduino.a.
if(TARGET duet_arduino)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/compat/arduino/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/duet/arduino
    COMPONENT dev FILES_MATCHING PATTERN "*.h")
  install(FILES $<TARGET_FILE:duet_arduino> DESTINATION ${CMAKE_INSTALL_LIBDIR} RENAME libduet-arduino.a
    COMPONENT dev)
endif()

# ------------------------------------------- duet-board build --target an521|giga
# The Cortex-M ports' headers beside the others (a program for those targets includes them).
install(FILES ${CMAKE_SOURCE_DIR}/ports/an521/include/duet/an521.h
  ${CMAKE_SOURCE_DIR}/ports/cortex_m/include/duet/cortex_m.h
  ${CMAKE_SOURCE_DIR}/ports/stm32h747/include/duet/giga.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/duet COMPONENT dev)
# The Arduino layer's sources: a sketch for a Cortex-M target compiles them with it.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/compat/arduino/ DESTINATION ${CMAKE_INSTALL_DATADIR}/duet/arduino
  COMPONENT dev FILES_MATCHING PATTERN "*.cpp" PATTERN "*.c")
# The AN521 port's cross build (cmake/an521.cmake): its library and linker scripts.
if(DUET_AN521)
  install(FILES ${DUET_AN521_BUILD}/libduet_an521.a ${CMAKE_SOURCE_DIR}/ports/an521/cpu0.ld
    ${CMAKE_SOURCE_DIR}/ports/an521/cpu1.ld ${CMAKE_SOURCE_DIR}/ports/an521/sections.ld
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/duet/an521 COMPONENT dev)
endif()
# --target giga compiles duet for the chosen core from its sources (tools/board/target_giga.c),
# laid out as in the source tree: the core's, the shared Cortex-M code, the port with its
# linker scripts (their public headers are in include/duet).
set(DUET_GIGA_DIR ${CMAKE_INSTALL_DATADIR}/duet/giga)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/src/ DESTINATION ${DUET_GIGA_DIR}/src COMPONENT dev
  FILES_MATCHING PATTERN "*.c" PATTERN "*.h")
foreach(port cortex_m stm32h747)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/ports/${port}/ DESTINATION ${DUET_GIGA_DIR}/ports/${port} COMPONENT dev
    FILES_MATCHING PATTERN "*.c" PATTERN "*.h" PATTERN "*.ld" PATTERN include EXCLUDE)
endforeach()

# The port check (docs/porting.md): its sources and sources.cmake, which lists them for a CMake
# build, as in the source tree; a porter compiles them into an image per core for the board.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tools/port_check/ DESTINATION ${CMAKE_INSTALL_DATADIR}/duet/port_check
  COMPONENT dev FILES_MATCHING PATTERN "*.c" PATTERN "*.h" PATTERN "sources.cmake")

# The tools: duet-rpc, duet-board (its build verb finds the files above from its own place).
foreach(tool duet-rpc duet-board)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
    # Its manual page (packaging/man), gzipped in the Debian packages as Debian wants it.
    set(duet_man_page ${CMAKE_SOURCE_DIR}/packaging/man/${tool}.1)
    if(DUET_DEB)
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${duet_man_page})
      file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/man)
      execute_process(COMMAND gzip -9nc ${duet_man_page} OUTPUT_FILE ${CMAKE_BINARY_DIR}/man/${tool}.1.gz
        RESULT_VARIABLE gzip_status)
      if(NOT gzip_status EQUAL 0)
        message(FATAL_ERROR "gzip ${duet_man_page} failed: is gzip installed?")
      endif()
      set(duet_man_page ${CMAKE_BINARY_DIR}/man/${tool}.1.gz)
    endif()
    install(FILES ${duet_man_page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
  endif()
endforeach()
