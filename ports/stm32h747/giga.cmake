# giga.cmake - what duet-board's giga target compiles for the GIGA R1: the core's sources
# and its top level (duet.c), the shared Cortex-M code (ports/cortex_m) and this port.
# duet_giga_sources(VAR) sets VAR to that list.
include(${CMAKE_SOURCE_DIR}/ports/cortex_m/cortex_m.cmake)

function(duet_giga_sources var)
  if(NOT DUET_CORE_SOURCES)
    message(FATAL_ERROR "duet_giga_sources: DUET_CORE_SOURCES (the core's source list) is not set")
  endif()
  file(GLOB giga CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/ports/stm32h747/*.c)
  # version.c: duet_version() and duet_version_string(), as the other ports have them
  set(${var} ${DUET_CORE_SOURCES} ${DUET_TOP_SOURCES} ${CMAKE_SOURCE_DIR}/src/base/version.c
    ${DUET_CORTEX_M_SOURCES} ${giga} PARENT_SCOPE)
endfunction()

# duet_giga_configure(TARGET): gives TARGET (duet-board) the header giga_sources.h, which
# names the source tree (DUET_SOURCE_DIR), the generated headers (DUET_GENERATED_INCLUDE:
# duet/version.h) and duet's sources for the GIGA R1
# (DUET_GIGA_SOURCES, separated by ';'), those of them compiled without link-time
# optimisation (DUET_GIGA_NO_LTO_SOURCES: ports/cortex_m/cortex_m.cmake's list).
function(duet_giga_configure target)
  duet_giga_sources(listed)
  # Each path plain (no "/cmake/../"): an installed duet-board finds them below its prefix.
  set(sources "")
  foreach(f ${listed})
    cmake_path(NORMAL_PATH f)
    list(APPEND sources ${f})
  endforeach()
  set(no_lto "")
  foreach(f ${DUET_CORTEX_M_NO_LTO_SOURCES})
    cmake_path(NORMAL_PATH f)
    list(APPEND no_lto ${f})
  endforeach()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/giga_sources)
  file(CONFIGURE OUTPUT ${dir}/giga_sources.h CONTENT
"/* giga_sources.h - written by ports/stm32h747/giga.cmake */
#define DUET_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\"
#define DUET_GENERATED_INCLUDE \"${DUET_GENERATED_INCLUDE_DIR}\"
#define DUET_GIGA_SOURCES \"${sources}\"
#define DUET_GIGA_NO_LTO_SOURCES \"${no_lto}\"
")
  target_include_directories(${target} PRIVATE ${dir})
endfunction()
