# The version, set once in CMakeLists.txt's project(): duet/version.h is generated from it
# into the build's include/ (public for every target on duet_core), and the core's
# duet_version() (src/base/version.c) returns it at run time.
set(DUET_VERSION ${PROJECT_VERSION})
set(DUET_GENERATED_INCLUDE_DIR ${CMAKE_BINARY_DIR}/include)
set(DUET_VERSION_HEADER ${DUET_GENERATED_INCLUDE_DIR}/duet/version.h)
include(${CMAKE_CURRENT_LIST_DIR}/version_header.cmake)

foreach(target duet_core duet_core_asan duet_core_tsan)
  target_include_directories(${target} PUBLIC ${DUET_GENERATED_INCLUDE_DIR})
  target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src/base/version.c)
endforeach()
