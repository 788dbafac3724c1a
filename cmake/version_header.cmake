# Writes duet/version.h from cmake/version.h.in. Used two ways:
#   include() from the build, with DUET_VERSION and DUET_VERSION_HEADER set;
#   cmake -DDUET_VERSION=X.Y.Z -DDUET_VERSION_HEADER=PATH -P cmake/version_header.cmake
#   (scripts/size.sh, which compiles the core without configuring the build).
if(NOT DUET_VERSION MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
  message(FATAL_ERROR "duet's version must be MAJOR.MINOR.PATCH, got '${DUET_VERSION}'")
endif()
set(DUET_VERSION_MAJOR ${CMAKE_MATCH_1})
set(DUET_VERSION_MINOR ${CMAKE_MATCH_2})
set(DUET_VERSION_PATCH ${CMAKE_MATCH_3})
configure_file(${CMAKE_CURRENT_LIST_DIR}/version.h.in ${DUET_VERSION_HEADER} @ONLY)
