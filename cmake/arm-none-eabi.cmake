# CMake toolchain file for bare-metal Arm Cortex-M with Debian's arm-none-eabi GCC and newlib
# (packages gcc-arm-none-eabi, binutils-arm-none-eabi, libnewlib-arm-none-eabi).
#
#   cmake -S ports/an521 -B build/an521 -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#
# It only names the tools: the CPU flags differ per image (an M7 and an M4 image may come
# from one build), so they are given per target: ports/cortex_m/cortex_m.cmake has
# duet_cortex_m_cpu_flags() for cortex-m33, cortex-m7 and cortex-m4.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(DUET_ARM_PREFIX arm-none-eabi- CACHE STRING "prefix of the cross tools")
find_program(CMAKE_C_COMPILER ${DUET_ARM_PREFIX}gcc)
find_program(CMAKE_CXX_COMPILER ${DUET_ARM_PREFIX}g++)
find_program(CMAKE_AR ${DUET_ARM_PREFIX}ar)
find_program(CMAKE_OBJCOPY ${DUET_ARM_PREFIX}objcopy)
find_program(CMAKE_SIZE ${DUET_ARM_PREFIX}size)
if(NOT CMAKE_C_COMPILER)
  message(FATAL_ERROR "${DUET_ARM_PREFIX}gcc not found: install the cross compiler with "
    "`scripts/deps.sh size` (gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi)")
endif()
set(CMAKE_ASM_COMPILER ${CMAKE_C_COMPILER})

# A bare-metal compiler cannot link a test program without a linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Never pick up the host's libraries or headers.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# $<LINK_GROUP:RESCAN,...> (a library and newlib that call each other) with GNU ld; the
# Generic platform does not define it.
set(CMAKE_C_LINK_GROUP_USING_RESCAN "LINKER:--start-group" "LINKER:--end-group")
set(CMAKE_C_LINK_GROUP_USING_RESCAN_SUPPORTED TRUE)
