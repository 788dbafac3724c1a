# The port check's images for the AN521 (tools/port_check), built by the cross project
# ports/an521, which includes this: the pair as a porter builds it (each core's main() and the
# check's sources over the port's library), and for each fault of DUET_PORT_CHECK_AN521_FAULTS
# the pair with that fault of faults.c built in (PORT_CHECK_FAULT).
include(${DUET_ROOT}/tools/port_check/sources.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/an521_faults.cmake)
duet_an521_image(an521_port_check_m7 0 ${DUET_PORT_CHECK_DIR}/port_check_m7.c ${DUET_PORT_CHECK_SOURCES})
duet_an521_image(an521_port_check_m4 1 ${DUET_PORT_CHECK_DIR}/port_check_m4.c ${DUET_PORT_CHECK_SOURCES})
foreach(fault ${DUET_PORT_CHECK_AN521_FAULTS})
  foreach(core m7 m4)
    set(image an521_port_check_${fault}_${core})
    if(core STREQUAL "m7")
      duet_an521_image(${image} 0 ${CMAKE_CURRENT_LIST_DIR}/faulty_main.c ${CMAKE_CURRENT_LIST_DIR}/faults.c
        ${DUET_PORT_CHECK_SOURCES})
      target_compile_definitions(${image} PRIVATE PORT_CHECK_M7=1)
    else()
      duet_an521_image(${image} 1 ${CMAKE_CURRENT_LIST_DIR}/faulty_main.c ${CMAKE_CURRENT_LIST_DIR}/faults.c
        ${DUET_PORT_CHECK_SOURCES})
      target_compile_definitions(${image} PRIVATE PORT_CHECK_M7=0)
    endif()
    target_compile_definitions(${image} PRIVATE PORT_CHECK_FAULT="${fault}")
    target_include_directories(${image} PRIVATE ${DUET_PORT_CHECK_DIR})
  endforeach()
endforeach()
