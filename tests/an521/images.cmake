# The images of the QEMU tests, built by the cross project ports/an521 (which includes this).
include(${CMAKE_CURRENT_LIST_DIR}/scenarios.cmake)
foreach(scenario ${DUET_AN521_SCENARIOS})
  set(m7 an521_${scenario}_m7)
  set(m4 an521_${scenario}_m4)
  duet_an521_image(${m7} 0 ${CMAKE_CURRENT_LIST_DIR}/m7.c ${CMAKE_CURRENT_LIST_DIR}/check.c
    ${CMAKE_CURRENT_LIST_DIR}/scribble.c)
  target_compile_definitions(${m7} PRIVATE AN521_SCENARIO="${scenario}")
  if(NOT scenario IN_LIST DUET_AN521_M7_ONLY)
    duet_an521_image(${m4} 1 ${CMAKE_CURRENT_LIST_DIR}/m4.c ${CMAKE_CURRENT_LIST_DIR}/check.c
      ${CMAKE_CURRENT_LIST_DIR}/scribble.c)
    target_compile_definitions(${m4} PRIVATE AN521_SCENARIO="${scenario}")
  endif()
endforeach()

# The same scenarios over duet's small configuration (duet_an521_small), built as a
# firmware is: -Os, linked with link-time optimisation (as duet-board builds a GIGA image).
set(DUET_AN521_LIBRARY duet_an521_small)
foreach(scenario ${DUET_AN521_SMALL_SCENARIOS})
  duet_an521_image(an521_small_${scenario}_m7 0 ${CMAKE_CURRENT_LIST_DIR}/m7.c ${CMAKE_CURRENT_LIST_DIR}/check.c
    ${CMAKE_CURRENT_LIST_DIR}/scribble.c)
  duet_an521_image(an521_small_${scenario}_m4 1 ${CMAKE_CURRENT_LIST_DIR}/m4.c ${CMAKE_CURRENT_LIST_DIR}/check.c
    ${CMAKE_CURRENT_LIST_DIR}/scribble.c)
  foreach(image an521_small_${scenario}_m7 an521_small_${scenario}_m4)
    target_compile_definitions(${image} PRIVATE AN521_SCENARIO="${scenario}")
    target_compile_options(${image} PRIVATE -Os)
    target_link_options(${image} PRIVATE -Os)
    duet_an521_lto(${image})
  endforeach()
endforeach()
unset(DUET_AN521_LIBRARY)

# The guide's examples (examples/): each core's program as it is, built for its CPU.
foreach(example rpc_serial rpc_sensor rtc micropython_led)
  foreach(core m7 m4)
    if("${core}" STREQUAL "m7")
      set(cpu 0)
    else()
      set(cpu 1)
    endif()
    duet_an521_image(an521_example_${example}_${core} ${cpu} ${DUET_ROOT}/examples/${example}/${core}.c)
    target_include_directories(an521_example_${example}_${core} PRIVATE ${DUET_ROOT}/examples/common)
  endforeach()
endforeach()
duet_an521_image(an521_example_core_identify_m7 0 ${DUET_ROOT}/examples/core_identify/core_identify.c)
duet_an521_image(an521_example_core_identify_m4 1 ${DUET_ROOT}/examples/core_identify/core_identify.c)
foreach(core m7 m4)
  target_include_directories(an521_example_core_identify_${core} PRIVATE ${DUET_ROOT}/examples/common)
endforeach()

# The idle test: setup()/loop() programs whose clock and doorbell interrupts are counted
# (wakeups.c, reached through the linker's --wrap from the port's vector table).
duet_an521_image(an521_idle_m7 0 ${CMAKE_CURRENT_LIST_DIR}/idle_m7.c
  ${CMAKE_CURRENT_LIST_DIR}/check.c ${CMAKE_CURRENT_LIST_DIR}/wakeups.c)
duet_an521_image(an521_idle_m4 1 ${CMAKE_CURRENT_LIST_DIR}/idle_m4.c
  ${CMAKE_CURRENT_LIST_DIR}/check.c ${CMAKE_CURRENT_LIST_DIR}/wakeups.c)
foreach(image an521_idle_m7 an521_idle_m4)
  target_compile_definitions(${image} PRIVATE AN521_SCENARIO="idle")
  target_link_options(${image} PRIVATE -Wl,--wrap=duet_cortex_m_systick_isr -Wl,--wrap=duet_an521_mhu_isr)
endforeach()

# The thread test (ports/cortex_m/thread.c): a pair of its own.
duet_an521_image(an521_threads_m7 0 ${CMAKE_CURRENT_LIST_DIR}/threads_m7.c ${CMAKE_CURRENT_LIST_DIR}/check.c)
duet_an521_image(an521_threads_m4 1 ${CMAKE_CURRENT_LIST_DIR}/threads_m4.c ${CMAKE_CURRENT_LIST_DIR}/check.c)
foreach(image an521_threads_m7 an521_threads_m4)
  target_compile_definitions(${image} PRIVATE AN521_SCENARIO="threads")
endforeach()
