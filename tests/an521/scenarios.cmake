# The QEMU tests: each scenario is a pair of images (m7.c and m4.c built for it) run
# together; "noimage", "clock" and "delay" run the M7 alone. Read by the cross build (tests/an521)
# and by the host build, which registers them with ctest (cmake/an521.cmake).
set(DUET_AN521_SCENARIOS boot calls nested async notify stream sizes board silent garbage noimage clock delay)
set(DUET_AN521_M7_ONLY noimage clock delay)
# The scenarios run again with duet built in its small configuration (DUET_SMALL: short
# error texts, no hints, 2 waiting calls, messages of one RPMsg buffer): an521_small_<name>.
set(DUET_AN521_SMALL_SCENARIOS boot calls nested async notify stream sizes board silent garbage)
# These run again with QEMU in the host's time (--realtime: its multi-threaded accelerator),
# the two cores truly at once instead of taking turns, as on the chip: an521_parallel_<name>.
# Not the scenarios that measure time (board, silent), which a busy host would slow.
set(DUET_AN521_PARALLEL_SCENARIOS boot calls nested async notify stream sizes garbage)
