# Test weights: how much of a core each test keeps busy, so that `make test` runs the tests
# that mostly wait beside the busy ones instead of letting them hold a core idle.
#
# `make test` runs ctest with two slots per core (`ctest -j4` for the default JOBS=2) and
# each test takes the slots of the share of a core it uses (ctest's PROCESSORS): 2 for a
# test that keeps a core busy (compiling, fuzzing, a sanitizer build, QEMU), the default;
# 1 for one in DUET_LIGHT_TESTS below, which mostly waits (a board run for a fixed number of
# seconds, a timeout that has to pass, a peer's pace). So at most as many busy tests run at
# once as there are cores, as before, and a waiting test runs beside them in a slot of its
# own. A test is light when its processes' CPU time is under half its time: the figure in
# each comment is the CPU seconds of the test run alone over its seconds in a whole
# `make test` of a clean clone (2 cores). Tests that compile are busy even when a warm
# cache made them look light here: a clean clone compiles.
#
# Every directory that adds tests starts with cmake_language(DEFER CALL duet_weigh_tests),
# which weighs them once the directory is done (an early return() included); tests/shape's
# test_weights fails a test without a weight (docs/design.md, "Test weights"). duet_add_fuzz
# weighs its own (busy).

set(DUET_LIGHT_TESTS
  arduino_guide_sketches          # 0.38: the guide's sketch pairs run for seconds each
  python_msgpackrpc               # 0.17: Python scripts against a board, timeouts included
  python_msgpackrpc_asan          # 0.28
  board_tool                      # 0.21: duet-board's verbs, runs of a second or two
  board_demo                      # 0.07: make demo's run, 5 s
  board_vcd_gtkwave               # 0.08
  interop_rpc_serve               # 0.15: clients that read nothing, write timeouts
  interop_rpc_serve_asan          # 0.26
  test_two_core                   # 0.11: two processes, a core that stops answering
  port_check_posix                # 0.05: the port check's pair, each core asleep in wait() between checks
  port_check_posix_faults         # 0.01: the port check's pair with a fault, timeouts that pass
  example_core_identify           # 0.03: the guide's examples, each run for some seconds
  example_rpc_serial              # 0.05
  example_rpc_sensor              # 0.04
  example_rpc_sensor_tsan         # 0.06
  example_rpc_servo               # 0.05
  example_rpc_servo_tsan          # 0.07
  example_rtc                     # 0.09
  example_micropython_led         # 0.10
  example_micropython_led_python  # 0.10
)

# duet_weigh_test(TEST light|busy) - gives TEST, of the calling directory, its slots (1 or
# 2) and the label saying which (`ctest -L light` runs the light ones).
function(duet_weigh_test test weight)
  if(weight STREQUAL "light")
    set_tests_properties(${test} PROPERTIES PROCESSORS 1)
  else()
    set_tests_properties(${test} PROPERTIES PROCESSORS 2)
  endif()
  set_property(TEST ${test} APPEND PROPERTY LABELS ${weight})
endfunction()

# duet_weigh_tests() - weighs every test of the calling directory: light if it is in
# DUET_LIGHT_TESTS, else busy.
function(duet_weigh_tests)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    if(test IN_LIST DUET_LIGHT_TESTS)
      duet_weigh_test(${test} light)
    else()
      duet_weigh_test(${test} busy)
    endif()
  endforeach()
endfunction()
