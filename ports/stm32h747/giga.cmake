# giga.cmake - what duet-board's giga target compiles for the GIGA R1: the core's sources,
# the shared Cortex-M code and this port. duet_giga_sources(VAR) sets VAR to that list.
function(duet_giga_sources var)
  file(GLOB cortex_m CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/ports/cortex_m/*.c)
  file(GLOB giga CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/ports/stm32h747/*.c)
  set(${var} ${DUET_CORE_SOURCES} ${cortex_m} ${giga} PARENT_SCOPE)
endfunction()
