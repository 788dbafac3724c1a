# Helpers for Cortex-M images, for a CMake project configured with cmake/arm-none-eabi.cmake.
#
#   duet_cortex_m_cpu_flags(VAR CPU)  sets VAR to the compiler flags for cortex-m33 (the
#                                     AN521's: no FPU), cortex-m7 or cortex-m4 (Thumb,
#                                     hardware FPU)
#   DUET_CORTEX_M_SOURCES             the shared Cortex-M code (reset, SysTick, sleep and
#                                     waiting, setup() and loop(),
#                                     newlib's system calls (the time's on the board's
#                                     clocks), C's printf family on duet's
#                                     formatter and its scanf with floats, the
#                                     Serial's text output,
#                                     threads); a port compiles them into its
#                                     own library, as they call the port's hooks
#   DUET_CORTEX_M_NO_LTO_SOURCES      those of them compiled without link-time optimisation
#   DUET_CORTEX_M_LINK_OPTIONS        what every image links with
set(DUET_CORTEX_M_DIR ${CMAKE_CURRENT_LIST_DIR})

function(duet_cortex_m_cpu_flags var cpu)
  if(cpu STREQUAL "cortex-m33")
    # The SSE-200 of the AN521 gives CPU0 no FPU and no DSP extension (QEMU's armsse.c,
    # cpu_fpu and cpu_dsp): one image for either core is built for neither, soft-float.
    set(${var} -mcpu=cortex-m33+nodsp+nofp -mthumb -mfloat-abi=soft PARENT_SCOPE)
    return()
  elseif(cpu STREQUAL "cortex-m7")
    set(fpu fpv5-d16)
  elseif(cpu STREQUAL "cortex-m4")
    set(fpu fpv4-sp-d16)
  else()
    message(FATAL_ERROR "duet_cortex_m_cpu_flags: unknown CPU '${cpu}' (cortex-m33, cortex-m7 or cortex-m4)")
  endif()
  set(${var} -mcpu=${cpu} -mthumb -mfloat-abi=hard -mfpu=${fpu} PARENT_SCOPE)
endfunction()

# C's printf family on duet's formatter (stdio_printf.c; newlib's `i` forms the same, its `_r`
# forms in stdio_reent.c), and its scanf family with the float scanner (stdio_scanf.c): each
# call of these goes to its __wrap_ function there. One linker
# option (duet-board's targets get it from tools/board/CMakeLists.txt, scripts/size-firmware.sh
# reads it here).
set(DUET_CORTEX_M_STDIO_WRAP "-Wl,--wrap=printf,--wrap=fprintf,--wrap=vprintf,--wrap=vfprintf,--wrap=sprintf,--wrap=snprintf,--wrap=vsprintf,--wrap=vsnprintf,--wrap=asprintf,--wrap=vasprintf,--wrap=dprintf,--wrap=vdprintf,--wrap=iprintf,--wrap=fiprintf,--wrap=viprintf,--wrap=vfiprintf,--wrap=siprintf,--wrap=sniprintf,--wrap=vsiprintf,--wrap=vsniprintf,--wrap=asiprintf,--wrap=vasiprintf,--wrap=diprintf,--wrap=vdiprintf,--wrap=_printf_r,--wrap=_fprintf_r,--wrap=_vprintf_r,--wrap=_vfprintf_r,--wrap=_sprintf_r,--wrap=_snprintf_r,--wrap=_vsprintf_r,--wrap=_vsnprintf_r,--wrap=_asprintf_r,--wrap=_vasprintf_r,--wrap=_dprintf_r,--wrap=_vdprintf_r,--wrap=_iprintf_r,--wrap=_fiprintf_r,--wrap=_viprintf_r,--wrap=_vfiprintf_r,--wrap=_siprintf_r,--wrap=_sniprintf_r,--wrap=_vsiprintf_r,--wrap=_vsniprintf_r,--wrap=_asiprintf_r,--wrap=_vasiprintf_r,--wrap=_diprintf_r,--wrap=_vdiprintf_r,--wrap=scanf,--wrap=fscanf,--wrap=sscanf,--wrap=vscanf,--wrap=vfscanf,--wrap=vsscanf")

# Link options every image takes: newlib-nano, no crt files (duet_cortex_m_reset starts
# the program), unused sections dropped, the printf and scanf families above.
set(DUET_CORTEX_M_LINK_OPTIONS --specs=nano.specs -nostartfiles -Wl,--gc-sections ${DUET_CORTEX_M_STDIO_WRAP})

set(DUET_CORTEX_M_SOURCES
  ${DUET_CORTEX_M_DIR}/reset.c
  ${DUET_CORTEX_M_DIR}/systick.c
  ${DUET_CORTEX_M_DIR}/irq.c
  ${DUET_CORTEX_M_DIR}/wait.c
  ${DUET_CORTEX_M_DIR}/board_time.c
  ${DUET_CORTEX_M_DIR}/loop.c
  ${DUET_CORTEX_M_DIR}/console.c
  ${DUET_CORTEX_M_DIR}/syscalls.c
  ${DUET_CORTEX_M_DIR}/serial_text.c
  ${DUET_CORTEX_M_DIR}/stdio_printf.c
  ${DUET_CORTEX_M_DIR}/stdio_reent.c
  ${DUET_CORTEX_M_DIR}/stdio_scanf.c
  ${DUET_CORTEX_M_DIR}/time_syscalls.c
  ${DUET_CORTEX_M_DIR}/sleep.c
  ${DUET_CORTEX_M_DIR}/thread.c)

# What the linker must find after the link-time optimiser has run stays machine code in an
# image linked with -flto: newlib's system calls, which newlib (machine code) calls; the
# printf and scanf families in place of newlib's, as GCC leaves printf and scanf, built-in
# functions, out of the intermediate code's list of the functions a program calls (the call
# comes to light only in the optimiser's output); and what printf calls, duet's formatter and
# the text helper it uses (text_add.c), which the optimiser would otherwise have dropped
# before the call was seen. duet-board's giga target gets the list from
# ports/stm32h747/giga.cmake, scripts/size-firmware.sh reads it here: one name per line.
get_filename_component(DUET_CORTEX_M_SRC ${DUET_CORTEX_M_DIR}/../../src ABSOLUTE)
set(DUET_CORTEX_M_NO_LTO_SOURCES
  ${DUET_CORTEX_M_DIR}/console.c
  ${DUET_CORTEX_M_DIR}/stdio_printf.c
  ${DUET_CORTEX_M_DIR}/stdio_reent.c
  ${DUET_CORTEX_M_DIR}/stdio_scanf.c
  ${DUET_CORTEX_M_DIR}/syscalls.c
  ${DUET_CORTEX_M_DIR}/time_syscalls.c
  ${DUET_CORTEX_M_SRC}/base/format.c
  ${DUET_CORTEX_M_SRC}/base/format_float.c
  ${DUET_CORTEX_M_SRC}/base/text_add.c)
