# The AN521 port's images (ports/an521, cross-compiled for Cortex-M33) and their QEMU tests.
# The cross build is a project of its own (another compiler), run as an external project
# into ${CMAKE_BINARY_DIR}/an521 on every build; tests/an521 runs its images under QEMU.
include(ExternalProject)

find_program(DUET_ARM_GCC arm-none-eabi-gcc)
find_program(DUET_QEMU_ARM qemu-system-arm)
if(NOT DUET_ARM_GCC OR NOT DUET_QEMU_ARM)
  message(FATAL_ERROR "The QEMU tests need arm-none-eabi-gcc, newlib and qemu-system-arm: "
    "run `scripts/deps.sh test` (as root it installs them), or configure with -DDUET_AN521=OFF "
    "to build without them.")
endif()

set(DUET_AN521_BUILD ${CMAKE_BINARY_DIR}/an521)
ExternalProject_Add(an521
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/ports/an521
  BINARY_DIR ${DUET_AN521_BUILD}
  CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/arm-none-eabi.cmake
             -DCMAKE_BUILD_TYPE=Release -DDUET_VERSION=${DUET_VERSION}
             -DDUET_AN521_TEST_IMAGES=${DUET_TESTS}
  BUILD_ALWAYS ON
  INSTALL_COMMAND "")
