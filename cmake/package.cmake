# Debian packages with CPack (make deb; docs/install.md says why this split):
#   libduet<SOVERSION>        libduet.so.*        the portable core       (component libduet)
#   libduet-posix<SOVERSION>  libduet-posix.so.*  top level + posix port  (component libduet_posix)
#   libduet-dev               headers, static libraries, .so links, CMake and pkg-config
#                             files, docs and examples                  (component dev)
#   duet-tools                duet-rpc, duet-board, the Python module   (component tools)
# Depends: the libraries' and tools' own from dpkg-shlibdeps, ours from the components.
# Configure with -DCMAKE_INSTALL_PREFIX=/usr -DDUET_DEB=ON (scripts/deb.sh does), so that
# each package also carries the copyright and changelog Debian wants in /usr/share/doc/PKG.
set(DUET_DEB_MAINTAINER "duet maintainers <duet@example.org>" CACHE STRING
  "the Maintainer of the Debian packages: Name <email>")

set(DUET_DEB_REVISION 1)
set(DUET_DEB_PACKAGES libduet libduet_posix dev tools)
set(DUET_DEB_NAME_libduet libduet${DUET_SOVERSION})
set(DUET_DEB_NAME_libduet_posix libduet-posix${DUET_SOVERSION})
set(DUET_DEB_NAME_dev libduet-dev)
set(DUET_DEB_NAME_tools duet-tools)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME duet)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${DUET_DEB_MAINTAINER})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/deb)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ${DUET_DEB_PACKAGES})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${DUET_DEB_REVISION})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# where dpkg-shlibdeps finds libduet.so.* that libduet-posix.so.* needs (the build's own)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_LIBDUET_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBDUET_DESCRIPTION "msgpack-RPC between the two cores of a dual-core MCU (core)
duet lets the two cores of a dual-core microcontroller (the Arduino GIGA R1's
Cortex-M7 and Cortex-M4) call each other's functions by name and stream text
to each other, in the wire format of Arduino's RPC library.
.
This package holds the portable core: the MessagePack codec, RPMsg over
virtio rings, the msgpack-RPC engine and the text stream.")

set(CPACK_DEBIAN_LIBDUET_POSIX_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBDUET_POSIX_DEPENDS libduet)
set(CPACK_COMPONENT_LIBDUET_POSIX_DESCRIPTION "msgpack-RPC between two cores: the emulated board's port
duet lets the two cores of a dual-core microcontroller call each other's
functions by name and stream text to each other.
.
This package holds duet's top level (duet_begin, duet_call, duet_printf...)
over the posix port, which runs each core of an emulated Arduino GIGA R1 as
a process of the PC.")

set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DEPENDS libduet libduet_posix)
set(CPACK_COMPONENT_DEV_DESCRIPTION "msgpack-RPC between two cores: development files
duet lets the two cores of a dual-core microcontroller call each other's
functions by name and stream text to each other.
.
This package holds the headers, the static libraries, the CMake package
(find_package(duet)), the pkg-config files (duet, duet-posix), the
documentation and the examples.")

set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION devel)
# duet-board build compiles programs against libduet-dev's headers and static libraries.
set(CPACK_COMPONENT_TOOLS_DEPENDS dev)
set(CPACK_DEBIAN_TOOLS_PACKAGE_RECOMMENDS "gcc | c-compiler, g++ | c++-compiler")
# duet-board build --target giga cross-compiles duet (libduet-dev's /usr/share/duet/giga).
set(CPACK_DEBIAN_TOOLS_PACKAGE_SUGGESTS
  "gcc-arm-none-eabi, libnewlib-arm-none-eabi, libstdc++-arm-none-eabi-newlib")
# duet-board run --m7 SCRIPT.py: the msgpackrpc module for Debian's python3 (python/).
if(DUET_PYTHON_DEB_DEPENDS)
  set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS ${DUET_PYTHON_DEB_DEPENDS})
endif()
set(CPACK_COMPONENT_TOOLS_DESCRIPTION "msgpack-RPC between two cores: command-line tools
duet lets the two cores of a dual-core microcontroller call each other's
functions by name and stream text to each other.
.
This package holds duet-board, which builds, uploads and runs programs
(C, or Arduino sketches) for the two cores of an Arduino GIGA R1 emulated
on the PC, and duet-rpc, which calls and serves msgpack-RPC functions from
the shell over a serial port, TCP or a pipe. The msgpackrpc module for
python3 runs a MicroPython script as the M7 (duet-board run --m7 SCRIPT.py).")

foreach(c ${DUET_DEB_PACKAGES})
  string(TOUPPER ${c} C)
  set(CPACK_DEBIAN_${C}_PACKAGE_NAME ${DUET_DEB_NAME_${c}})
endforeach()
# The shared libraries' packages run ldconfig through dpkg's trigger (CPack's postinst and
# postrm call it too, which lintian only warns about).
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
foreach(C LIBDUET LIBDUET_POSIX)
  set(CPACK_DEBIAN_${C}_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/packaging/debian/triggers)
endforeach()

# Each package's /usr/share/doc/PKG/copyright and changelog.Debian.gz.
if(DUET_DEB)
  string(TIMESTAMP duet_deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(dir ${CMAKE_BINARY_DIR}/debian)
  file(MAKE_DIRECTORY ${dir})
  configure_file(${CMAKE_SOURCE_DIR}/packaging/debian/changelog.in ${dir}/changelog.Debian @ONLY)
  execute_process(COMMAND gzip -9nf ${dir}/changelog.Debian RESULT_VARIABLE gzip_status)
  if(NOT gzip_status EQUAL 0)
    message(FATAL_ERROR "gzip ${dir}/changelog.Debian failed: is gzip installed?")
  endif()
  foreach(c ${DUET_DEB_PACKAGES})
    install(FILES ${CMAKE_SOURCE_DIR}/packaging/debian/copyright ${dir}/changelog.Debian.gz
      DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${DUET_DEB_NAME_${c}} COMPONENT ${c})
  endforeach()
endif()

include(CPack)
