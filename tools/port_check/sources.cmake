# The port check's sources (tools/port_check), for every build of it: the host's (the posix
# port, tools/port_check/CMakeLists.txt), the AN521's images (tests/port_check/images.cmake)
# and the GIGA R1's (tests/giga, with duet-board build --target giga). A program per core adds
# its main(): port_check_m7.c or port_check_m4.c.
set(DUET_PORT_CHECK_DIR ${CMAKE_CURRENT_LIST_DIR})
set(DUET_PORT_CHECK_SOURCES
  ${DUET_PORT_CHECK_DIR}/report.c
  ${DUET_PORT_CHECK_DIR}/shared.c
  ${DUET_PORT_CHECK_DIR}/local.c
  ${DUET_PORT_CHECK_DIR}/region.c
  ${DUET_PORT_CHECK_DIR}/pair.c
  ${DUET_PORT_CHECK_DIR}/doorbell.c
  ${DUET_PORT_CHECK_DIR}/side_m7.c
  ${DUET_PORT_CHECK_DIR}/side_m4.c)
