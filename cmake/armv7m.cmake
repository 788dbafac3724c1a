# The Armv7-M test images (tests/armv7m/image: duet built with the GIGA R1's flags for its
# Cortex-M7 and Cortex-M4), a cross project of their own run as an external project into
# ${CMAKE_BINARY_DIR}/armv7m on every build; tests/armv7m runs them under QEMU. Needs what
# the AN521 port needs (cmake/an521.cmake checks that it is there).
include(ExternalProject)

set(DUET_ARMV7M_BUILD ${CMAKE_BINARY_DIR}/armv7m)
ExternalProject_Add(armv7m
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/tests/armv7m/image
  BINARY_DIR ${DUET_ARMV7M_BUILD}
  CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
  BUILD_ALWAYS ON
  INSTALL_COMMAND "")
